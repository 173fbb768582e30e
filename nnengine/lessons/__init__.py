"""Math that only the lessons need: the long ways round, and the mistakes worth seeing.

The engine proper does each of these in one line of numpy; here they are spelled out, or done
wrong on purpose, so a page can set them beside the real thing. Numpy only, tested like the
engine. One module per part of the course; everything is importable from ``nnengine.lessons``.
"""

from .activations import (
    collapse_linear,
    linear_stack_demo,
    naive_softmax_trouble,
    relu_pairs,
    run_layers,
    sine_pieces,
    softmax_steps,
    trained_sine_network,
)
from .backprop import (
    BROKEN,
    NOTEBOOK_RATE_FACTOR,
    XOR_X,
    XOR_Y,
    BrokenDense,
    BrokenReLU,
    check_network,
    neuron_graph,
    neuron_step,
    random_search_vs_gradients,
    xor_run,
    xor_verdict,
)
from .digits import block_counts, digit_image, normalise, read_digit
from .forward import (
    batch_layer,
    batch_loss_spread,
    chained_layers,
    dense_from_rows,
    layer_dot,
    layer_loop,
    neuron_terms,
    seeded_layers,
    shape_error_without_transpose,
)
from .loss import best_lines, regression_points
from .surfaces import (
    BOX,
    OPTIMIZERS,
    RACERS,
    SURFACES,
    Bowl,
    NetworkLoss,
    Point,
    Run,
    Saddle,
    Valley,
    curvatures,
    decay_curve,
    first_step_below,
    make_optimizer,
    make_surface,
    race,
    race_all,
)

__all__ = [
    "neuron_terms", "layer_loop", "layer_dot", "dense_from_rows", "batch_layer", "shape_error_without_transpose",
    "chained_layers", "seeded_layers", "batch_loss_spread",
    "collapse_linear", "relu_pairs", "run_layers", "sine_pieces", "trained_sine_network", "softmax_steps",
    "naive_softmax_trouble", "linear_stack_demo", "regression_points", "best_lines",
    "neuron_graph", "neuron_step", "BrokenReLU", "BrokenDense", "BROKEN", "check_network",
    "random_search_vs_gradients", "XOR_X", "XOR_Y", "xor_run", "xor_verdict", "NOTEBOOK_RATE_FACTOR",
    "BOX", "OPTIMIZERS", "RACERS", "SURFACES", "Bowl", "Valley", "Saddle", "NetworkLoss", "Point", "Run",
    "make_surface", "make_optimizer", "race", "race_all", "decay_curve", "curvatures", "first_step_below",
    "normalise", "block_counts", "digit_image", "read_digit",
]
