"""nnengine: a small neural-network engine written from scratch with numpy, to be read.

    import numpy as np
    import nnengine as nn

    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(samples=100, classes=3, rng=rng)
    model = nn.Model([nn.Dense(2, 64, rng=rng), nn.ReLU(), nn.Dense(64, 3, rng=rng), nn.Softmax()],
                     loss=nn.CategoricalCrossentropy(),
                     optimizer=nn.Adam(learning_rate=0.05, decay=5e-7))
    history = model.fit(X, y, epochs=10_001)

Every model the engine accepts trains right, or is refused with a message that says why and
what to write instead: SoftmaxCategoricalCrossentropy is not a model loss (end with Softmax and
use CategoricalCrossentropy: the model fuses them), cross-entropy needs a final Softmax (binary:
Sigmoid or Softmax), Dense sizes must chain, ``fit`` refuses a model with a Step or without a
Dense layer. Labels that do not fit the loss raise ``LabelError`` (a ValueError and a TypeError);
hyperparameters are checked where they are given, by name and range (betas, rho and momentum in
[0, 1), learning rate and epsilon > 0, decay >= 0, all finite), and so when a file gives them.

Modules: layers (Dense, Dropout), activations, losses, optimizers, model (Model), history (History),
divergence (TrainingDiverged and the rollback),
files (save and load) and state (the training state a file carries), gradcheck, datasets,
book (the book's training chapters as data, what their code prints, and how close the engine
comes: its docstring holds the parity table), lessons (math that only the lessons need).
"""

from . import book, datasets, lessons
from .activations import LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Step, Tanh
from .checks import LabelError
from .divergence import TrainingDiverged
from .files import ModelFileError
from .gradcheck import GradientCheck, gradcheck
from .history import History
from .layers import Dense, Dropout
from .losses import (
                     BinaryCrossentropy,
                     CategoricalCrossentropy,
                     MeanAbsoluteError,
                     MeanSquaredError,
                     SoftmaxCategoricalCrossentropy,
                     regularization_loss,
)
from .model import Model
from .optimizers import SGD, Adagrad, Adam, RMSprop
from .rng import as_rng

__all__ = [
    "book", "datasets", "lessons", "as_rng",
    "Dense", "Dropout",
    "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Linear", "Step", "Softmax",
    "CategoricalCrossentropy", "BinaryCrossentropy", "MeanSquaredError", "MeanAbsoluteError",
    "SoftmaxCategoricalCrossentropy", "regularization_loss",
    "SGD", "Adagrad", "RMSprop", "Adam",
    "Model", "History", "TrainingDiverged", "ModelFileError", "LabelError",
    "gradcheck", "GradientCheck",
]
