"""The ONNX graphs of the onnxruntime-web peer benchmark (tests/bench/ort.mjs, tests/e2e/bench-ort.mjs).

Exact scaled dot-product attention of H = 8 heads of width d = 64 over a dynamic length N:
    full:   O = Softmax(MatMul(Q, Kᵀ) · 1/√d) · V
    causal: O = Softmax(MatMul(Q, Kᵀ) · 1/√d + M) · V,   M an N × N input, 0 where j ≤ i, −∞ elsewhere
Q, K, V, O are float32 [H, N, d]; Kᵀ is a Transpose(perm = [0, 2, 1]) node inside the graph (onnxruntime
fuses it and the scale into one FusedMatMul). The causal mask is an input, not computed in the graph, so
both sides get the same −∞ (the harness fills it once per N, untimed); ONNX has no way to skip the masked
half, so onnxruntime computes all N² scores, as a standard exported causal layer does.

Writes tests/bench/attention_full.onnx and tests/bench/attention_causal.onnx (a few hundred bytes each,
committed). Regenerate with scripts/bench/onnx_graphs.sh (a venv with the pinned onnx and numpy).
"""
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HEADS = 8
D = 64
OPSET = 17
IR_VERSION = 8  # onnxruntime-web 1.30 reads IR ≤ 11; 8 is what opset 17 needs
OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "bench"


def graph(causal: bool) -> onnx.ModelProto:
    shape = [HEADS, "N", D]
    inputs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape) for name in ("q", "k", "v")]
    scale = numpy_helper.from_array(np.array(1.0 / np.sqrt(D), dtype=np.float32), name="scale")
    nodes = [
        helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 2, 1]),
        helper.make_node("MatMul", ["q", "kt"], ["raw"]),
        helper.make_node("Mul", ["raw", "scale"], ["logits" if causal else "scaled"]),
    ]
    if causal:
        inputs.append(helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["N", "N"]))
        nodes.append(helper.make_node("Add", ["logits", "mask"], ["scaled"]))
    nodes += [
        helper.make_node("Softmax", ["scaled"], ["weights"], axis=-1),
        helper.make_node("MatMul", ["weights", "v"], ["o"]),
    ]
    output = helper.make_tensor_value_info("o", TensorProto.FLOAT, shape)
    name = "attention_causal" if causal else "attention_full"
    g = helper.make_graph(nodes, name, inputs, [output], initializer=[scale])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="attention-atlas")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for causal in (False, True):
        model = graph(causal)
        path = OUT / f"{model.graph.name}.onnx"
        path.write_bytes(model.SerializeToString())
        print(f"wrote {path} ({path.stat().st_size} bytes, onnx {onnx.__version__}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
