"""The walk's formulas: each operation of nnengine.lessons.walk written in LaTeX with its own
numbers, for the Backpropagation page."""

import numpy as np

from ui.numbers import significant

ACT_FORMULAS = {"ReLU": r"\max(z, 0)", "LeakyReLU": r"\max(z, \alpha z)", "Sigmoid": r"1/(1 + e^{-z})",
                "Tanh": r"\tanh z", "Linear": "z", "Step": r"\mathbb{1}[z > 0]",
                "Softmax": r"e^{z_j} / \textstyle\sum_k e^{z_k}"}
ACT_SLOPES = {"ReLU": r"\mathbb{1}[z > 0]", "LeakyReLU": r"(1 \text{ or } \alpha)", "Sigmoid": r"a(1 - a)",
              "Tanh": r"(1 - a^2)", "Linear": "1", "Step": "0"}


def number(value):
    """A number for a formula: 6 significant digits, a power of ten written as one (never '1e-05')."""
    return significant(value, 6, "tex")


def tex_matrix(values):
    """A vector (one row) or matrix as LaTeX, with ``number``'s numbers."""
    rows = np.atleast_2d(np.asarray(values, dtype=float))
    return r"\begin{bmatrix}" + r" \\ ".join(" & ".join(number(v) for v in row) for row in rows) + r"\end{bmatrix}"


def row(values):
    return tex_matrix(np.ravel(values))


def formula(w, step):
    """The LaTeX of one operation ``step`` of the walk ``w``, with the numbers it computed."""
    what, k = step.makes[0]
    if what == "a" and k == 0:
        return "x = " + row(w.x)
    prev = "x" if k == 1 else f"a^{{({k - 1})}}"
    if what == "z":
        bias = f" + b^{{({k})}}" if w.links[k - 1].biases is not None else ""
        return f"z^{{({k})}} = {prev}\\,W^{{({k})}}{bias} = " + row(w.columns[k].z)
    if what == "a":
        name = w.columns[k].activation
        if name in ("none", "Linear"):
            return f"a^{{({k})}} = z^{{({k})}}"
        return f"a^{{({k})}} = {ACT_FORMULAS.get(name, name)} = " + row(w.columns[k].a)
    if what == "loss":
        return f"L = {loss_formula(w)} = {number(w.loss)}"
    if what == "da":
        return output_formula(w)
    if what == "dW":
        link = w.links[k - 1]
        dprev = r"\frac{\partial L}{\partial x}" if k == 1 else rf"\frac{{\partial L}}{{\partial a^{{({k - 1})}}}}"
        dz = rf"\frac{{\partial L}}{{\partial z^{{({k})}}}}"
        return (rf"\frac{{\partial L}}{{\partial W^{{({k})}}}} = {prev}^T {dz},\ "
                + (rf"\frac{{\partial L}}{{\partial b^{{({k})}}}} = {dz} = " + row(link.dbiases) + r",\ "
                   if link.biases is not None else "")
                + dprev + rf" = {dz}\,W^{{({k})T}} = " + row(link.dinputs))
    # what == "dz": back through column k's activation
    column = w.columns[k]
    slope = ACT_SLOPES.get(column.activation, "f'(z)")
    return (rf"\frac{{\partial L}}{{\partial z^{{({k})}}}} = \frac{{\partial L}}{{\partial a^{{({k})}}}} "
            rf"\odot {slope} = " + row(column.dz))


def loss_formula(w):
    if w.task == "classification":
        return rf"-\log \hat y_{{{int(w.target[0])}}}"
    if w.task == "binary":
        return r"-(y \log \hat y + (1 - y)\log(1 - \hat y))"
    return type(w.model.loss).__name__


def output_formula(w):
    k = len(w.columns) - 1
    if w.task == "classification" and w.model.fused is not None:
        one_hot = np.eye(len(w.output))[int(w.target[0])]
        return (rf"\frac{{\partial L}}{{\partial z^{{({k})}}}} = \hat y - y = " + row(w.output) + " - "
                + row(one_hot) + " = " + row(w.output_gradient))
    return (r"\frac{\partial L}{\partial \hat y} = " + row(w.loss_gradient)
            + rf",\ \frac{{\partial L}}{{\partial z^{{({k})}}}} = " + row(w.output_gradient))
