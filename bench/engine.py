"""Engine benchmark: nnengine against PyTorch and a plain-numpy loop, on two workloads.

A  the book's chapter 10: spiral data (300 samples, 3 classes), Dense(2, 64), ReLU, Dense(64, 3),
   Softmax, categorical cross-entropy, Adam(learning_rate=0.05, decay=5e-7), 10_001 full-batch epochs.
   Also run as a plain-numpy loop written the book's way (float32), and in PyTorch; with
   --book-precision also nnengine with Dense(book_precision=True) (float64 products, as the book's
   nnfs.init()), and with --book-script the book's own Ch10_Final.py (timed inside its process).
B  the 8x8 digits: 80/20 split, 64-128-128-10 ReLU network with softmax, Adam(learning_rate=0.005),
   mini-batches of 32 shuffled every epoch, 20 epochs; also in PyTorch.

Every contender starts from the same data and the same initial weights (copied from the nnengine
model before it trains), works in float32 on one thread, and keeps the loss and accuracy of every
epoch from the forward pass that the update used, as nnengine's History does. Seconds are the best
of --repeats runs of the training loop alone (building the model and the data is not timed); the
runs take turns, round after round.

    python bench/engine.py [--repeats N] [--skip-torch] [--book-precision] [--book-script PATH]
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

# One thread for numpy's BLAS too, set before numpy loads it: PyTorch runs on one thread, and on a
# busy machine OpenBLAS's threads only wait for each other at these sizes. Set the variable to
# compare with more threads.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so it runs without installing
import nnengine as nn  # noqa: E402

SPIRAL_EPOCHS = 10_001
SPIRAL_LEARNING_RATE, SPIRAL_DECAY = 0.05, 5e-7
DIGITS_EPOCHS, DIGITS_BATCH_SIZE, DIGITS_LEARNING_RATE = 20, 32, 0.005
SHUFFLE_SEED = 1
# Adam's other settings, the book's and nnengine's defaults.
BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7


def timed(setup, train):
    """(seconds, result) of ``train(*setup())``, timing only ``train`` (or the seconds ``train``
    measured itself, when it returns them third)."""
    arguments = setup()
    started = time.perf_counter()
    result = train(*arguments)
    seconds = time.perf_counter() - started
    if len(result) == 3:
        *result, seconds = result
    return seconds, tuple(result)


def initial_weights(model):
    """[(weights, biases), ...] of the model's Dense layers, copied before training."""
    return [(layer.weights.copy(), layer.biases.copy()) for layer in model.dense_layers]


# -- workload A: the book's chapter 10 ------------------------------------------------------


def spiral_setup(book_precision=False):
    """The book's order of draws from one RandomState(0): the data, then the two layers."""
    rng = np.random.RandomState(0)
    X, y = nn.datasets.spiral(samples=100, classes=3, rng=rng)
    layers = [nn.Dense(2, 64, rng=rng), nn.ReLU(), nn.Dense(64, 3, rng=rng), nn.Softmax()]
    if book_precision:
        for layer in layers[::2]:
            layer.book_precision = True
    model = nn.Model(layers, loss=nn.CategoricalCrossentropy(),
                     optimizer=nn.Adam(learning_rate=SPIRAL_LEARNING_RATE, decay=SPIRAL_DECAY))
    return model, X, y


# The book's script in its own process (its nnfs.init() changes numpy for the whole process),
# timed around the script alone: the interpreter's start and numpy's import are left out.
BOOK_RUNNER = ("import runpy, sys, time; started = time.perf_counter(); "
               "runpy.run_path(sys.argv[1], run_name='__main__'); "
               "print('seconds', time.perf_counter() - started)")


def spiral_book(path):
    """-> (accuracy, loss, seconds) of the book's Ch10_Final.py, as it prints them."""
    def train():
        lines = subprocess.run([sys.executable, "-c", BOOK_RUNNER, str(path)], capture_output=True,
                               text=True, check=True).stdout.splitlines()
        epoch_lines = [line for line in lines if line.startswith("epoch: ")]
        numbers = dict(part.split(": ") for part in epoch_lines[-1].split(", "))
        return float(numbers["acc"]), float(numbers["loss"]), float(lines[-1].split()[1])
    return train


def spiral_nnengine(model, X, y):
    """-> (accuracy, loss) of the last epoch."""
    last = model.fit(X, y, epochs=SPIRAL_EPOCHS)[-1]
    return last["accuracy"], last["loss"]


def numpy_setup():
    model, X, y = spiral_setup()
    return X, y, initial_weights(model)


def spiral_numpy(X, y, weights):
    """The book's chapter 10 loop written out with plain numpy arrays, float32 throughout.

    The fused softmax and cross-entropy gradient, the ReLU mask and Adam's update are the book's
    own lines; the loss and accuracy of each epoch are kept as the book computes them."""
    (w1, b1), (w2, b2) = [(w.copy(), b.copy()) for w, b in weights]
    params = [w1, b1, w2, b2]
    momentums = [np.zeros_like(p) for p in params]
    caches = [np.zeros_like(p) for p in params]
    rows = np.arange(len(X))
    history = []
    for epoch in range(SPIRAL_EPOCHS):
        # forward: Dense, ReLU, Dense, softmax, cross-entropy
        z1 = X @ w1 + b1
        a1 = np.maximum(0, z1)
        z2 = a1 @ w2 + b2
        exps = np.exp(z2 - np.max(z2, axis=1, keepdims=True))
        probabilities = exps / np.sum(exps, axis=1, keepdims=True)
        clipped = np.clip(probabilities, 1e-7, 1 - 1e-7)
        loss = np.mean(-np.log(clipped[rows, y]))
        accuracy = np.mean(np.argmax(probabilities, axis=1) == y)
        history.append((float(loss), float(accuracy)))
        # backward: softmax with cross-entropy, Dense, ReLU, Dense
        dz2 = probabilities.copy()
        dz2[rows, y] -= 1
        dz2 /= len(X)
        dw2, db2 = a1.T @ dz2, np.sum(dz2, axis=0, keepdims=True)
        da1 = dz2 @ w2.T
        dz1 = da1.copy()
        dz1[z1 <= 0] = 0
        dw1, db1 = X.T @ dz1, np.sum(dz1, axis=0, keepdims=True)
        # Adam, with the book's learning-rate decay
        learning_rate = SPIRAL_LEARNING_RATE / (1 + SPIRAL_DECAY * epoch)
        for i, grad in enumerate([dw1, db1, dw2, db2]):
            momentums[i] = BETA_1 * momentums[i] + (1 - BETA_1) * grad
            caches[i] = BETA_2 * caches[i] + (1 - BETA_2) * grad**2
            momentum_corrected = momentums[i] / (1 - BETA_1 ** (epoch + 1))
            cache_corrected = caches[i] / (1 - BETA_2 ** (epoch + 1))
            params[i] += -learning_rate * momentum_corrected / (np.sqrt(cache_corrected) + EPSILON)
    loss, accuracy = history[-1]
    return accuracy, loss


def torch_network(torch, weights):
    """Linear and ReLU layers holding nnengine's initial weights (torch stores them transposed)."""
    layers = []
    for i, (w, b) in enumerate(weights):
        linear = torch.nn.Linear(*w.shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.T.copy()))
            linear.bias.copy_(torch.from_numpy(b[0]))
        layers.append(linear)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def spiral_torch_setup(torch):
    def setup():
        model, X, y = spiral_setup()
        return torch_network(torch, initial_weights(model)), torch.from_numpy(X), torch.from_numpy(y)
    return setup


def spiral_torch(torch):
    """The same training in PyTorch: CrossEntropyLoss on the logits is softmax followed by
    categorical cross-entropy, and the book's decay sets the rate before each step."""
    def train(network, X, y):
        optimizer = torch.optim.Adam(network.parameters(), lr=SPIRAL_LEARNING_RATE, eps=EPSILON)
        loss_function = torch.nn.CrossEntropyLoss()
        history = []
        for epoch in range(SPIRAL_EPOCHS):
            for group in optimizer.param_groups:
                group["lr"] = SPIRAL_LEARNING_RATE / (1 + SPIRAL_DECAY * epoch)
            logits = network(X)
            loss = loss_function(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                accuracy = (logits.argmax(dim=1) == y).float().mean()
            history.append((loss.item(), accuracy.item()))
        loss, accuracy = history[-1]
        return accuracy, loss
    return train


# -- workload B: digits with mini-batches ---------------------------------------------------


def digits_setup():
    rng = np.random.RandomState(0)
    X, y = nn.datasets.digits()
    X_train, y_train, X_val, y_val = nn.datasets.split(X, y, 0.2, rng=rng)
    model = nn.Model([nn.Dense(64, 128, rng=rng), nn.ReLU(), nn.Dense(128, 128, rng=rng), nn.ReLU(),
                      nn.Dense(128, 10, rng=rng), nn.Softmax()],
                     loss=nn.CategoricalCrossentropy(),
                     optimizer=nn.Adam(learning_rate=DIGITS_LEARNING_RATE))
    return model, X_train, y_train, X_val, y_val


def digits_nnengine(model, X_train, y_train, X_val, y_val):
    """-> (validation accuracy, validation loss) after training."""
    model.fit(X_train, y_train, epochs=DIGITS_EPOCHS, batch_size=DIGITS_BATCH_SIZE,
              rng=np.random.RandomState(SHUFFLE_SEED))
    scores = model.evaluate(X_val, y_val)
    return scores["accuracy"], scores["loss"]


def digits_torch_setup(torch):
    def setup():
        model, X_train, y_train, X_val, y_val = digits_setup()
        return (torch_network(torch, initial_weights(model)),
                *(torch.from_numpy(array) for array in (X_train, y_train, X_val, y_val)))
    return setup


def digits_torch(torch):
    """The same mini-batches in the same order: the permutations come from a RandomState seeded
    as the one nnengine shuffles with."""
    def train(network, X_train, y_train, X_val, y_val):
        optimizer = torch.optim.Adam(network.parameters(), lr=DIGITS_LEARNING_RATE, eps=EPSILON)
        loss_function = torch.nn.CrossEntropyLoss()
        shuffle = np.random.RandomState(SHUFFLE_SEED)
        n_samples = len(X_train)
        history = []
        for _ in range(DIGITS_EPOCHS):
            order = torch.from_numpy(shuffle.permutation(n_samples))
            loss_sum = correct = 0.0
            for start in range(0, n_samples, DIGITS_BATCH_SIZE):
                batch = order[start:start + DIGITS_BATCH_SIZE]
                X_batch, y_batch = X_train[batch], y_train[batch]
                logits = network(X_batch)
                loss = loss_function(logits, y_batch)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                with torch.no_grad():
                    correct += (logits.argmax(dim=1) == y_batch).sum().item()
                loss_sum += loss.item() * len(batch)
            history.append((loss_sum / n_samples, correct / n_samples))
        with torch.no_grad():
            logits = network(X_val)
            loss = loss_function(logits, y_val).item()
            accuracy = (logits.argmax(dim=1) == y_val).float().mean().item()
        return accuracy, loss
    return train


# -- running and reporting ------------------------------------------------------------------


def import_torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def contenders(torch, book_precision=False, book_script=None, spiral_only=False):
    """(workload, engine, setup, train), nnengine first in each workload."""
    runs = [("A spiral (train)", "nnengine", spiral_setup, spiral_nnengine),
            ("A spiral (train)", "numpy", numpy_setup, spiral_numpy)]
    if book_precision:
        runs.append(("A spiral (train)", "bookprec", lambda: spiral_setup(book_precision=True), spiral_nnengine))
    if book_script is not None:
        runs.append(("A spiral (train)", "book", tuple, spiral_book(book_script)))
    if torch is not None:
        runs.append(("A spiral (train)", "pytorch", spiral_torch_setup(torch), spiral_torch(torch)))
    if not spiral_only:
        runs.append(("B digits (val)", "nnengine", digits_setup, digits_nnengine))
        if torch is not None:
            runs.append(("B digits (val)", "pytorch", digits_torch_setup(torch), digits_torch(torch)))
    return runs


def measure(runs, repeats):
    """Best seconds of each contender over ``repeats`` rounds, as table rows.

    Each round runs every contender once, so that a busy spell on the machine slows all of them
    alike instead of one. Training is deterministic: every run gives the same accuracy and loss."""
    rows = [{"workload": workload, "engine": engine, "seconds": float("inf")}
            for workload, engine, _, _ in runs]
    for round_number in range(1, repeats + 1):
        for row, (workload, engine, setup, train) in zip(rows, runs):
            seconds, (row["accuracy"], row["loss"]) = timed(setup, train)
            row["seconds"] = min(row["seconds"], seconds)
            print(f"round {round_number}/{repeats}  {workload:<16}  {engine:<8} {seconds:7.3f} s", flush=True)
    baselines = {row["workload"]: row["seconds"] for row in rows if row["engine"] == "nnengine"}
    for row in rows:
        row["ratio"] = row["seconds"] / baselines[row["workload"]]
    return rows


def print_table(rows):
    print()
    print(f"{'workload':<16}  {'engine':<8}  {'seconds':>7}  {'accuracy':>8}  {'loss':>6}  {'nnengine is':>13}")
    for row in rows:
        ratio = "" if row["engine"] == "nnengine" else f"{row['ratio']:.2f}x faster"
        print(f"{row['workload']:<16}  {row['engine']:<8}  {row['seconds']:>7.3f}  {row['accuracy']:>8.4f}  "
              f"{row['loss']:>6.4f}  {ratio:>13}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each contender (best counts)")
    parser.add_argument("--skip-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--book-precision", action="store_true",
                        help="also time nnengine with Dense(book_precision=True) on A")
    parser.add_argument("--book-script", metavar="PATH",
                        help="also time the book's Ch10_Final.py (needs nnfs) on A")
    parser.add_argument("--spiral-only", action="store_true", help="workload A only")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    torch = None if args.skip_torch else import_torch()
    if torch is None:
        print("PyTorch skipped:", "--skip-torch" if args.skip_torch else "torch is not installed")
    else:
        print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread")
    print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; "
          f"best of {args.repeats} runs", flush=True)
    print_table(measure(contenders(torch, args.book_precision, args.book_script, args.spiral_only), args.repeats))


if __name__ == "__main__":
    main()
