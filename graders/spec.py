"""Network specs: JSON-safe dicts validated into a Spec, with the article's naming."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from graders.activations import ACTIVATIONS
from graders.losses import LOSSES

MAX_LAYERS = 6
MAX_NEURONS = 8
MAX_TRAINING_STEPS = 3  # a spec's `steps`: training steps asked one after the other
BIAS_MODES = ("shared", "per_neuron", "none")


class SpecError(ValueError):
    """A malformed spec; `field` names the offending field, `code` the rule it breaks and
    `params` its numbers or names (so a caller can say it in another language)."""

    def __init__(self, field: str, message: str, code: str = "invalid", **params: Any) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Architecture:
    """Everything about a network except its numbers: what the symbolic graph depends on."""

    layers: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    bias: str
    train_biases: bool
    steps: int = 1  # training steps asked; step t > 1 starts from step t − 1's updated parameters

    @property
    def depth(self) -> int:
        """Number of weight layers (non-input layers)."""
        return len(self.layers) - 1

    def neuron(self, layer: int, j: int) -> str:
        """Name of neuron j (0-based) of layer (0 = input): i1, h1 or hL_j, o1."""
        if layer == 0:
            return f"i{j + 1}"
        if layer == self.depth:
            return f"o{j + 1}"
        if self.depth == 2:
            return f"h{j + 1}"
        return f"h{layer}_{j + 1}"

    def weight_name(self, layer: int, j: int, k: int) -> str:
        """Name of the weight from neuron k of `layer` to neuron j of layer+1."""
        return f"w{self.weight_index(layer, j, k) + 1}"

    def weight_index(self, layer: int, j: int, k: int) -> int:
        """0-based position of a weight: layer by layer, then destination, then source."""
        offset = sum(self.layers[m + 1] * self.layers[m] for m in range(layer))
        return offset + j * self.layers[layer] + k

    def weight_names(self) -> list[str]:
        """All weight names in numbering order."""
        total = sum(self.layers[m + 1] * self.layers[m] for m in range(self.depth))
        return [f"w{n + 1}" for n in range(total)]

    def bias_name(self, layer: int, j: int) -> str | None:
        """Name of the bias feeding neuron j of layer+1, or None without biases."""
        if self.bias == "none":
            return None
        if self.bias == "shared":
            return f"b{layer + 1}"
        offset = sum(self.layers[m + 1] for m in range(layer))
        return f"b{offset + j + 1}"

    def bias_count(self, layer: int) -> int:
        """How many biases feed layer+1: one (shared), one a neuron, or none."""
        return {"shared": 1, "per_neuron": self.layers[layer + 1]}.get(self.bias, 0)

    def bias_names(self) -> list[str]:
        """All bias names in numbering order."""
        if self.bias == "none":
            return []
        if self.bias == "shared":
            return [f"b{m + 1}" for m in range(self.depth)]
        return [f"b{n + 1}" for n in range(sum(self.layers[1:]))]

    def target_name(self, j: int) -> str:
        """Name of the target of output j."""
        return f"target_o{j + 1}"


@dataclass(frozen=True)
class Spec:
    """A validated network with its numbers."""

    arch: Architecture
    learning_rate: float
    inputs: tuple[float, ...]
    targets: tuple[float, ...]
    weights: tuple[tuple[tuple[float, ...], ...], ...]
    biases: tuple[tuple[float, ...], ...]

    def givens(self) -> dict[str, float]:
        """The given values by name, in the article's notation."""
        a = self.arch
        values: dict[str, float] = {a.neuron(0, k): x for k, x in enumerate(self.inputs)}
        for layer, matrix in enumerate(self.weights):
            for j, row in enumerate(matrix):
                for k, w in enumerate(row):
                    values[a.weight_name(layer, j, k)] = w
        values.update(zip(a.bias_names(), (b for row in self.biases for b in row)))
        values.update({a.target_name(j): t for j, t in enumerate(self.targets)})
        values["eta"] = self.learning_rate
        return values

    def to_dict(self) -> dict[str, Any]:
        """The JSON-safe form accepted by parse_spec."""
        a = self.arch
        return {
            "layers": list(a.layers),
            "activations": list(a.activations),
            "loss": a.loss,
            "bias": a.bias,
            "train_biases": a.train_biases,
            "learning_rate": self.learning_rate,
            **({"steps": a.steps} if a.steps != 1 else {}),
            "inputs": list(self.inputs),
            "targets": list(self.targets),
            "weights": [[list(row) for row in m] for m in self.weights],
            "biases": [list(row) for row in self.biases],
        }


def _number(value: Any, field: str) -> float:
    """A finite real number (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(field, "must be a number", "not_a_number")
    result = float(value)
    if not math.isfinite(result):
        raise SpecError(field, "must be finite", "not_finite")
    return result


def _vector(value: Any, size: int, field: str) -> tuple[float, ...]:
    """A list of exactly `size` finite numbers."""
    if not isinstance(value, (list, tuple)) or len(value) != size:
        raise SpecError(field, f"must be a list of {size} numbers", "wrong_length", size=size)
    return tuple(_number(x, f"{field}[{i}]") for i, x in enumerate(value))


def _architecture(data: dict[str, Any]) -> Architecture:
    """Validate the shape and names."""
    layers = data.get("layers")
    if not isinstance(layers, (list, tuple)) or not 2 <= len(layers) <= MAX_LAYERS:
        raise SpecError("layers", f"must list between 2 and {MAX_LAYERS} layer sizes", "layer_count", high=MAX_LAYERS)
    for i, n in enumerate(layers):
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_NEURONS:
            raise SpecError(f"layers[{i}]", f"must be a whole number from 1 to {MAX_NEURONS}", "layer_size",
                            high=MAX_NEURONS)
    acts = data.get("activations")
    if not isinstance(acts, (list, tuple)) or len(acts) != len(layers) - 1:
        raise SpecError("activations", f"must name {len(layers) - 1} activations", "activation_count",
                        count=len(layers) - 1)
    for i, name in enumerate(acts):
        if name not in ACTIVATIONS:
            raise SpecError(f"activations[{i}]", f"unknown activation {name!r}", "unknown_activation", name=str(name))
        if ACTIVATIONS[name].output_only and i != len(acts) - 1:
            raise SpecError(f"activations[{i}]", f"{name} is allowed on the output layer only", "output_only",
                            name=str(name))
    loss = data.get("loss", "half_sse")
    if loss not in LOSSES:
        raise SpecError("loss", f"unknown loss {loss!r}", "unknown_loss", name=str(loss))
    if LOSSES[loss].needs_softmax and acts[-1] != "softmax":
        raise SpecError("loss", f"{loss} needs a softmax output layer", "loss_needs_softmax", name=str(loss))
    if LOSSES[loss].needs_unit_interval and acts[-1] not in ("sigmoid", "softmax"):
        raise SpecError("loss", f"{loss} needs sigmoid or softmax outputs", "loss_needs_probabilities",
                        name=str(loss))
    bias = data.get("bias", "shared")
    if bias not in BIAS_MODES:
        raise SpecError("bias", f"must be one of {', '.join(BIAS_MODES)}", "unknown_bias")
    train = data.get("train_biases", False)
    if not isinstance(train, bool):
        raise SpecError("train_biases", "must be true or false", "not_boolean")
    steps = data.get("steps", 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_TRAINING_STEPS:
        raise SpecError("steps", f"must be a whole number from 1 to {MAX_TRAINING_STEPS}", "training_steps",
                        high=MAX_TRAINING_STEPS)
    return Architecture(tuple(layers), tuple(acts), loss, bias, train and bias != "none", steps)


def _weights(value: Any, arch: Architecture) -> tuple[tuple[tuple[float, ...], ...], ...]:
    """weights[l][j][k]: from neuron k of layer l to neuron j of layer l+1."""
    if not isinstance(value, (list, tuple)) or len(value) != arch.depth:
        raise SpecError("weights", f"must hold {arch.depth} weight matrices", "weight_matrices", count=arch.depth)
    matrices = []
    for layer, matrix in enumerate(value):
        rows, cols = arch.layers[layer + 1], arch.layers[layer]
        field = f"weights[{layer}]"
        if not isinstance(matrix, (list, tuple)) or len(matrix) != rows:
            raise SpecError(field, f"must have {rows} rows of {cols} numbers", "weight_rows", rows=rows, cols=cols)
        matrices.append(tuple(_vector(r, cols, f"{field}[{j}]") for j, r in enumerate(matrix)))
    return tuple(matrices)


def _biases(value: Any, arch: Architecture) -> tuple[tuple[float, ...], ...]:
    """biases[l]: one value (shared), one per neuron of layer l+1, or none."""
    if arch.bias == "none" and value in (None, []):
        return tuple(() for _ in range(arch.depth))
    if not isinstance(value, (list, tuple)) or len(value) != arch.depth:
        raise SpecError("biases", f"must hold {arch.depth} lists", "bias_lists", count=arch.depth)
    return tuple(_vector(row, arch.bias_count(m), f"biases[{m}]") for m, row in enumerate(value))


def parse_shape(data: Any) -> tuple[Architecture, float]:
    """Validate a spec's shape fields alone (no numbers): its architecture and learning rate."""
    if not isinstance(data, dict):
        raise SpecError("spec", "must be a JSON object", "not_an_object")
    arch = _architecture(data)
    lr = _number(data.get("learning_rate", 0.5), "learning_rate")
    if lr <= 0:
        raise SpecError("learning_rate", "must be positive", "not_positive")
    return arch, lr


def parse_spec(data: Any) -> Spec:
    """Validate a JSON-safe spec dict; raise SpecError naming the field at fault."""
    if isinstance(data, Spec):
        return data
    arch, lr = parse_shape(data)
    targets = _vector(data.get("targets"), arch.layers[-1], "targets")
    if LOSSES[arch.loss].needs_unit_interval and not all(0 <= t <= 1 for t in targets):
        raise SpecError("targets", f"must lie in [0, 1] for {arch.loss}", "targets_unit_interval", name=arch.loss)
    return Spec(
        arch=arch,
        learning_rate=lr,
        inputs=_vector(data.get("inputs"), arch.layers[0], "inputs"),
        targets=targets,
        weights=_weights(data.get("weights"), arch),
        biases=_biases(data.get("biases"), arch),
    )
