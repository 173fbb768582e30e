"""The Optimizers page's words: what each surface and update rule is, what each setting does, and
the notes a run gets (it left the map, it was thrown back, it diverged, its learning rate was too
large), all written from the run's own numbers."""

import numpy as np

from nnengine import lessons
from ui.numbers import significant as number

SYMBOLS = {"learning_rate": "η", "momentum": "μ", "rho": "ρ", "beta_1": "β₁", "beta_2": "β₂", "epsilon": "ε"}
HELP = {
    "learning_rate": "How far each step goes, relative to the gradient (or, for the adaptive ones, in absolute terms).",
    "decay": "The book's decay: step t uses η / (1 + decay · t).",
    "momentum": "The fraction of the previous step kept in the next one.",
    "rho": "How much of the squared-gradient cache is kept each step (RMSprop forgets the rest).",
    "beta_1": "How much of the gradients' moving average is kept each step.",
    "beta_2": "How much of the squared gradients' moving average is kept each step.",
    "epsilon": "Added under the division so it never divides by zero.",
}
FORMULA = {
    "bowl": r"L(x, y) = \tfrac12\left(\frac{x^2}{c} + y^2\right)",
    "valley": r"L(x, y) = \frac{(1 - x/2)^2}{10} + \frac{(y + 2 - x^2/2)^2}{4}",
    "saddle": r"L(x, y) = \frac{x^2}{4} + \frac{(y^2 - 4)^2}{16}",
    "network": r"\begin{aligned} \hat v_i &= \tanh(x\,u_i + 0.5) - \tanh(y\,u_i - 0.5) \\"
               r" L(x, y) &= \tfrac{1}{21} \textstyle\sum_i (\hat v_i - v_i)^2 \end{aligned}",
}
ABOUT = {
    "bowl": "One minimum at (0, 0). Across (y) the walls are steep, along (x) the floor is c times flatter: a "
            "learning rate small enough for the walls crawls along the floor.",
    "valley": "A curved, narrow valley whose floor slopes gently down to the minimum at (2, 0): reaching the floor "
              "is quick, following it is slow.",
    "saddle": "A hump at y = 0 between two valleys (minima at (0, ±2)). At (0, 0) the gradient is zero but it is "
              "not a minimum: start near y = 0 and see who gets away first.",
    "network": "A 1-2-1 tanh network fitted to 21 points u_i (targets v_i made with weights (1.5, 0.5)); x and y are "
               "its two first-layer weights, everything else fixed. Two equally deep valleys (at (-0.5, -1.5) the "
               "neurons swap roles), flat plateaus where tanh saturates, and on the line y = -x the two neurons "
               "mirror each other.",
}
RULE = {
    "SGD": r"w \leftarrow w - \eta_t\, g",
    "SGD with momentum": r"\begin{aligned} v &\leftarrow \mu\, v - \eta_t\, g \\ w &\leftarrow w + v \end{aligned}",
    "Adagrad": r"\begin{aligned} c &\leftarrow c + g^2 \\ w &\leftarrow w - \eta_t\, \frac{g}{\sqrt{c} + \epsilon}"
               r"\end{aligned}",
    "RMSprop": r"\begin{aligned} c &\leftarrow \rho\, c + (1 - \rho)\, g^2 \\"
               r" w &\leftarrow w - \eta_t\, \frac{g}{\sqrt{c} + \epsilon} \end{aligned}",
    "Adam": r"\begin{aligned} m &\leftarrow \beta_1 m + (1 - \beta_1)\, g \\"
            r" v &\leftarrow \beta_2 v + (1 - \beta_2)\, g^2 \\"
            r" \hat m &= \frac{m}{1 - \beta_1^{\,t+1}}, \quad \hat v = \frac{v}{1 - \beta_2^{\,t+1}} \\"
            r" w &\leftarrow w - \eta_t\, \frac{\hat m}{\sqrt{\hat v} + \epsilon} \end{aligned}",
}


def point(xy, digits=3):
    return "(" + ", ".join(f"{v:.{digits}g}" if abs(v) >= 1e-9 else "0" for v in xy) + ")"


def off_map_note(run, what):
    """A note when a run that did not diverge still left the drawn square, or None."""
    outside = np.abs(run.path).max(axis=1) > lessons.BOX[1]
    if run.diverged or not outside.any():
        return None
    left = f"{what} left the drawn square (±{lessons.BOX[1]:g}) at step {int(np.argmax(outside))}"
    if outside[-1]:
        return (f"{left} and ended at {point(run.path[-1])}, off the map shown: the chart draws only the part of its "
                "path inside the square.")
    return (f"{left}, came back and ended at {point(run.path[-1])}: the chart draws only the parts of its path "
            "inside the square.")


def thrown_back_note(run, what):
    """A note when a run ended at a visible loss (above 1e-9) at least 1000 times higher than the
    lowest it reached, or None."""
    best = int(np.argmin(run.losses))
    if run.diverged or not run.losses[-1] > max(1e3 * run.losses[best], 1e-9):
        return None
    text = (f"{what} reached a loss of {number(run.losses[best], 2)} at step {best}, then was thrown back: it ended at "
            f"{number(run.losses[-1], 2)}.")
    if what.startswith(("RMSprop", "Adam")):
        text += (" Its step is η·g / (√c + ε), with c a running average of recent squared gradients. Near the "
                 "minimum g and c shrink together; once √c falls below ε the step becomes η·g / ε, plain gradient "
                 "descent with the rate η / ε (here far above 2 / curvature), and the point is thrown out until √c "
                 "is back above ε. Without decay it then keeps bouncing with steps about η long; a smaller η or a "
                 "decay makes the bounces smaller.")
    return text


def diverged_message(run, what):
    """The explanation shown when a run blew up (never its nan or inf)."""
    return (f"{what} diverged at step {run.diverged_at}: each step overshot further than the last, until the point "
            f"was more than {lessons.surfaces.LIMIT:g} from the origin (the drawing shows only ±{lessons.BOX[1]:g}; "
            "a few steps more and the numbers would overflow to infinity). "
            f"By then the loss was {number(run.losses[-1])}, from {number(run.losses[0])} at the start. The run stops "
            "there and the charts show the steps before; a smaller learning rate (or more decay) keeps it on the "
            "surface.")


ICONS = {"info": ":material/info:", "error": ":material/error:", "warning": ":material/warning:",
         "success": ":material/check_circle:"}


def too_large_verdict(surface, key, start, run, rate, steepest, biggest, largest_rate):
    """(kind of message, its text) for plain SGD at ``rate`` from ``start``: kind is 'info', 'error',
    'warning' or 'success'. ``biggest``: the run at ``largest_rate`` (the largest offered) when
    ``rate`` is above the limit 2 / ``steepest``, else None."""
    limit = 2 / steepest
    if not np.any(surface.gradient(np.array(start, dtype=float))):
        return "info", (f"The gradient at the start {point(start)} is exactly 0, so no step moves the point, whatever "
                        "the learning rate: the loss stays at " + number(run.losses[-1]) + ". Move the start a "
                        "little.")
    if run.diverged:
        return "error", diverged_message(run, f"SGD with learning rate {number(rate)}")
    if np.isclose(rate, limit, rtol=1e-6):
        return "warning", (f"Learning rate {number(rate)} is exactly the limit 2 / {number(steepest, 3)}: near the "
                           "minimum a step along the steepest direction lands exactly as far up the opposite side as "
                           "it started, so that bounce neither grows nor dies out. The loss ended at "
                           f"{number(run.losses[-1])}.")
    if rate > limit:
        bounded = (": this loss is bounded, since the network's output, a difference of two tanh, stays "
                   "between -2 and 2 however large the weights." if key == "network" else ".")
        if np.isclose(rate, float(largest_rate)):
            further = f"{largest_rate} is the largest rate here, and even it does not diverge{bounded}"
        elif biggest.diverged:
            further = f"Raise the rate further: at {largest_rate} it diverges at step {biggest.diverged_at}."
        else:
            further = f"Raise the rate further: even {largest_rate} does not diverge here{bounded}"
        return "warning", (f"Learning rate {number(rate)} is above {number(limit, 3)} yet the run stayed within "
                           f"{lessons.surfaces.LIMIT:g} of the origin: the loss ended at {number(run.losses[-1])}. The "
                           f"limit holds near the minimum, where the curvature is {number(steepest, 3)}; elsewhere "
                           f"the surface curves differently. {further}")
    return "success", (f"Learning rate {number(rate)} is below {number(limit, 3)}: the loss went from "
                       f"{number(run.losses[0])} to {number(run.losses[-1])}. Raise it past {number(limit, 3)}.")
