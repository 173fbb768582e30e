"""What the walk section shows beside and after the network drawing: the current operation, why the
first backward gradient is ŷ - y (and the long way round agreeing), each layer's gradients as
numbers, the numerical check, one update, a batch, the book's chapter 9 numbers, and the
predict-then-check questions. Every number comes from nnengine/lessons/walk.py."""

import numpy as np
import pandas as pd
import streamlit as st

from nnengine.lessons import walk as lesson
from ui import charts, mathtex, walk_chart, walk_tex, widgets
from ui.source import show_code

MOST_CHECKED = 1500          # parameters: beyond, the numerical check would make a step slow


def vector(values):
    return "(" + ", ".join(walk_chart.short(v) for v in np.ravel(values)) + ")"


def target_phrase(w):
    if w.task == "classification":
        return f"class {int(w.target[0])}"
    if w.task == "binary":
        return f"label {vector(w.target[0])}"
    return f"target {vector(w.target[0])}"


def forward_count(w):
    return sum(1 for s in w.steps if s.direction == "forward")


def drawing(w, done):
    """The network after ``done`` operations (tables for layers of more than 8 neurons), then the
    operation just done."""
    total = len(w.steps)
    if walk_chart.drawable(w):
        text = (f"The network after {done} of {total} operations. Under each neuron, what has been computed so far: "
                "its weighted sum z and what it passes on (a, or p for softmax probabilities), then in vermillion "
                "the gradients ∂ that reach it backward; the newest in bold. Forward, each link is as wide as its "
                "weight and coloured by its sign (blue positive, vermillion negative); backward, the layers already "
                "passed show this sample's weight gradient ∂L/∂W instead (widths in the legend), the others grey."
                )
        theme = getattr(getattr(st.context, "theme", None), "type", None) or "light"
        spec = walk_chart.inline(charts.to_spec(walk_chart.walk_chart(w, done, theme=theme, description=text)))
        st.vega_lite_chart(spec, width="stretch")
        st.caption(text)
    else:
        st.caption("A layer of more than 8 neurons is too many to draw legibly: here are the same numbers as "
                   "tables, one per layer, each showing what the first operations have computed.")
        known = {m for s in w.steps[:done] for m in s.makes}
        for k, column in enumerate(w.columns[1:], start=1):
            table = {"neuron": np.arange(1, len(column.a) + 1)}
            for name, quantity in (("z", "z"), ("a", "a"), ("∂L/∂a", "da"), ("∂L/∂z", "dz")):
                if (quantity, k) in known:
                    table[name] = getattr(column, quantity)
            st.markdown(f"**{column.name}**")
            st.dataframe(pd.DataFrame(table), hide_index=True, height=min(300, 36 + 35 * len(column.a)))
    if done == 0:
        st.info("Nothing computed yet: press *Next* to let the sample in.", icon=":material/info:")
        return
    step = w.steps[done - 1]
    st.markdown(f"**Operation {done} of {total}, {step.direction}: {step.title}.**")
    st.latex(walk_tex.formula(w, step))


def why_p_minus_y(w):
    """The combined gradient of the output, derived, and the same numbers the long way round."""
    if w.task == "classification" and w.model.fused is not None:
        c = int(w.target[0])
        dloss, jacobian, long = lesson.long_way(w.output, c)
        with st.expander("Why the first backward gradient is simply ŷ - y", icon=":material/functions:"):
            st.markdown("With p = softmax(z) and the loss L = -log p_c of the true class c, the chain rule goes "
                        "through every probability:")
            st.latex(r"\frac{\partial L}{\partial p_k} = -\frac{y_k}{p_k},\qquad "
                     r"\frac{\partial p_k}{\partial z_j} = p_k(\mathbb{1}[k = j] - p_j)")
            st.latex(r"\frac{\partial L}{\partial z_j} = \sum_k -\frac{y_k}{p_k}\,p_k(\mathbb{1}[k = j] - p_j) "
                     r"= -(\mathbb{1}[c = j] - p_j) = p_j - y_j")
            st.markdown("Only the true class has y_k = 1, so the sum keeps one term and p_c cancels. For a batch of "
                        "n samples the mean loss divides it by n. The long way, as the book's Softmax.backward "
                        "does it: the loss's gradient, then softmax's Jacobian diag(p) - p pᵀ times it.")
            st.latex(r"\frac{\partial L}{\partial p} = " + walk_tex.tex_matrix(dloss) + r",\quad J = "
                     + walk_tex.tex_matrix(jacobian))
            st.latex(r"J\,\frac{\partial L}{\partial p} = " + walk_tex.tex_matrix(long) + r",\quad \hat y - y = "
                     + walk_tex.tex_matrix(w.output_gradient))
            gap = float(np.abs(long - w.output_gradient).max())
            st.markdown(f"The two agree to {gap:.1e} (rounding): same numbers, one subtraction instead of a "
                        f"{len(w.output)} × {len(w.output)} matrix per sample.")
    elif w.task == "binary":
        long, short = lesson.binary_gradient_is_p_minus_y(w.output, w.target[0])
        with st.expander("The first backward gradient: sigmoid with binary cross-entropy", icon=":material/functions:"):
            st.latex(r"\frac{\partial L}{\partial z} = \Big(-\frac{y}{p} + \frac{1 - y}{1 - p}\Big)\,p(1 - p) "
                     r"= p - y \;\; (\text{over the number of outputs})")
            st.latex(r"\text{the long way: }" + walk_tex.tex_matrix(long) + r",\quad p - y = "
                     + walk_tex.tex_matrix(short))
    else:
        with st.expander("The first backward gradient: the regression loss", icon=":material/functions:"):
            st.markdown(f"The output is linear, so the gradient at its sums is the loss's own: for mean squared "
                        f"error -2(y - ŷ) / outputs, for mean absolute error -sign(y - ŷ) / outputs. Here "
                        f"{type(w.model.loss).__name__} gives {vector(w.output_gradient)}.")


def gradient_numbers(w, done):
    """Each layer's dW, db and dX once the walk has computed them."""
    known = {m for s in w.steps[:done] for m in s.makes}
    layers = [k for k in range(len(w.links), 0, -1) if ("dW", k) in known]
    if not layers:
        st.caption("Each layer's gradients appear here as the backward pass reaches it.")
        return
    st.markdown("**The gradients as numbers** (row i of ∂L/∂W is input i, column j is neuron j: the link from i "
                "to j in the drawing):")
    for k in layers:
        link = w.links[k - 1]
        if link.dweights.size > 64:
            st.markdown(f"Layer {k}: ∂L/∂W {link.dweights.shape}")
            st.dataframe(pd.DataFrame(link.dweights), height=200)
            continue
        tex = rf"\frac{{\partial L}}{{\partial W^{{({k})}}}} = " + mathtex.underset(
            walk_tex.tex_matrix(link.dweights), link.dweights)
        if link.dbiases is not None:
            tex += rf",\ \frac{{\partial L}}{{\partial b^{{({k})}}}} = " + walk_tex.tex_matrix(link.dbiases)
        st.latex(tex)
        st.latex(r"\frac{\partial L}{\partial " + ("x" if k == 1 else f"a^{{({k - 1})}}") + "} = "
                 + walk_tex.tex_matrix(link.dinputs))


def numerical(w, tag):
    """The numerical check of every weight and bias for this sample, with the kink rule."""
    count = sum(link.weights.size + (0 if link.biases is None else link.biases.size) for link in w.links)
    if count > MOST_CHECKED:
        st.caption(f"This network has {count:,} parameters; the numerical check is run for networks of up to "
                   f"{MOST_CHECKED:,} (it takes two forward passes per parameter).")
        return
    from ui.backprop_walk import memo

    checks = memo((tag, w.index, "check"), lambda: lesson.numerical_check(w))
    rows = ["| gradient of | largest relative error | entries crossing a ReLU kink |", "|---|---|---|"]
    rows += [f"| {c.name} | {c.max_relative_error:.1e} | {c.kink_count} of {c.analytic.size} |" for c in checks]
    st.markdown("\n".join(rows))
    passed, worst, rescued = lesson.verdict(checks)
    kinked = sum(c.kink_count for c in checks)
    note = (f" {kinked} entries are left out: nudging them by ±h moves a ReLU's input across 0, where its slope "
            "jumps, so the finite difference measures neither side's slope." if kinked else "")
    if rescued:
        note += (f" {rescued} entries with a relative error above 1e-6 differ by less than "
                 f"{lesson.ROUNDING_FLOOR:g}: their gradients are so small that the finite difference's own "
                 f"rounding, about eps × L / h = {np.finfo(float).eps * max(abs(w.loss), 1.0) / 1e-6:.0e} here, is "
                 "that large a share of them.")
    if passed:
        st.success(f"Every gradient of this sample agrees with its numerical estimate (L(p + h) - L(p - h)) / 2h, "
                   f"largest relative error {worst:.1e}.{note}", icon=":material/check_circle:")
    else:
        st.error(f"A gradient disagrees with its numerical estimate (largest relative error {worst:.1e}).{note}",
                 icon=":material/error:")


def update(w, tag):
    """One SGD step on this sample's gradients: the loss and outputs before and after."""
    from ui.backprop_walk import RATE, memo

    st.markdown("**One update.** Every weight and bias moves against its gradient: W ← W - η ∂L/∂W.")
    rate = widgets.number(RATE, 0.1, format="%.3f", help="η: how far each parameter moves against its gradient.")
    step = memo((tag, w.index, "update", rate), lambda: lesson.sgd_update(w, rate))
    cols = st.columns(2)
    cols[0].metric("This sample's loss before", f"{step.loss_before:.6f}")
    cols[1].metric("after one step", f"{step.loss_after:.6f}", delta=f"{step.loss_after - step.loss_before:.2e}",
                   delta_color="inverse")
    name = "probability" if w.task != "regression" else "output"
    moved = ["up" if a > b else "down" if a < b else "unchanged" for b, a in zip(step.output_before, step.output_after)]
    lines = [f"| output | {name} before | {name} after | moved |", "|---|---|---|---|"]
    lines += [f"| {j + 1} | {b:.6f} | {a:.6f} | {m} |"
              for j, (b, a, m) in enumerate(zip(step.output_before, step.output_after, moved))]
    st.markdown("\n".join(lines))
    if w.task == "classification":
        c = int(w.target[0])
        st.caption(f"The true class's probability went {moved[c]} "
                   f"({step.output_before[c]:.6f} → {step.output_after[c]:.6f}) and the loss "
                   f"{'fell' if step.loss_after < step.loss_before else 'rose'}. The output biases' gradient is ŷ - y, "
                   f"negative only for the true class, so the step raises the true class's bias and lowers the "
                   f"others'.")
    return step


def questions(w, step):
    """Predict, then check: each answer computed from this walk."""
    st.markdown("**Predict, then check (the walk)**")
    qa = []
    if w.task == "classification":
        c = int(w.target[0])
        negative = [j + 1 for j, g in enumerate(w.output_gradient) if g < 0]
        qa.append(("Which output's first backward gradient ŷ - y is negative, and why?",
                   f"Output {', '.join(map(str, negative))}: the sample's class is {c} (output {c + 1}), so its "
                   f"gradient is p - 1 = {w.output[c]:.6f} - 1 = {w.output_gradient[c]:.6f}, below zero because a "
                   "probability is below 1. Every other output's is its probability, above zero. Descent moves "
                   "against the gradient: the true class's sum up, the others down."))
    if len(w.columns) > 2 and w.columns[1].activation == "ReLU":
        off = [j + 1 for j, z in enumerate(w.columns[1].z) if z <= 0]
        qa.append(("Which hidden neurons' incoming weights get a zero gradient from this sample?",
                   (f"Neuron{'s' * (len(off) != 1)} {', '.join(map(str, off))}: {'their' if len(off) != 1 else 'its'} "
                    "weighted sum is not positive, so ReLU outputs 0 and passes back 0; ∂L/∂W's column"
                    f"{'s' * (len(off) != 1)} for {'them' if len(off) != 1 else 'it'} and the bias gradient are 0."
                    if off else "None: every hidden neuron's weighted sum is positive for this sample, so ReLU "
                                "passes every gradient back.")))
    qa.append((f"With learning rate {step.learning_rate:g}, does one update lower this sample's loss?",
               f"{'Yes' if step.loss_after < step.loss_before else 'No'}: {step.loss_before:.6f} → "
               f"{step.loss_after:.6f}."))
    for number, (question, answer) in enumerate(qa, start=1):
        st.markdown(f"**{number}. {question}**")
        with st.expander("Check your answer"):
            st.markdown(answer)


def after_the_walk(w, X, y, model, tag):
    why_p_minus_y(w)
    if w.dropout:
        st.caption("The model has dropout: the walk runs it as when predicting, with dropout off.")
    with st.expander("Check every gradient numerically", icon=":material/fact_check:"):
        numerical(w, tag)
    step = update(w, tag)
    from ui import walk_batch

    walk_batch.batch_view(w, X, y, model, tag)
    walk_batch.chapter_9_view()
    questions(w, step)
    show_code(lesson.walk, lesson.long_way, lesson.numerical_check)
