"""Optimizers: how the weights move, given their gradients.

``optimizer.step(layers)`` makes one update of every object that has ``weights`` and
``dweights`` (and ``biases`` with ``dbiases`` when present): a Dense layer, or a 2-D point on a
loss surface. The optimizer keeps its own memory (momentums, caches) per object and per
parameter in ``optimizer.state``, the step count in ``iterations`` and the rate it used last in
``current_learning_rate``.

Learning-rate decay, as in the book: lr_t = learning_rate / (1 + decay * t), t = steps so far.
"""

import numpy as np

from .checks import non_negative


class Optimizer:
    def __init__(self, learning_rate, decay=0.0):
        self.learning_rate = float(learning_rate)
        if not np.isfinite(self.learning_rate) or self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
        self.decay = non_negative(decay, "decay")
        self.current_learning_rate = self.learning_rate
        self.iterations = 0
        self.state = {}

    def step(self, layers):
        """One update of every parameter of ``layers`` (an object or a list of objects)."""
        if not isinstance(layers, (list, tuple)):
            layers = [layers]
        if self.decay:
            self.current_learning_rate = self.learning_rate / (1 + self.decay * self.iterations)
        for layer in layers:
            for name in ("weights", "biases"):
                param = getattr(layer, name, None)
                grad = getattr(layer, "d" + name, None)
                if param is None or grad is None:
                    continue
                memory = self.state.setdefault((id(layer), name), {"owner": layer})
                self.update(param, grad, memory)
        self.iterations += 1

    def memory(self, layer, name="weights"):
        """What this optimizer remembers for one parameter of one layer (empty before a step)."""
        return {k: v for k, v in self.state.get((id(layer), name), {}).items() if k != "owner"}

    def config(self):
        """The hyperparameters, as plain numbers (saved with a model)."""
        return {"learning_rate": self.learning_rate, "decay": self.decay}

    def __repr__(self):
        settings = ", ".join(f"{k}={v:g}" for k, v in self.config().items())
        return f"{type(self).__name__}({settings})"


class SGD(Optimizer):
    """Stochastic gradient descent: w -= lr * gradient.

    With momentum, each step keeps a fraction of the previous step:
    v = momentum * v - lr * gradient;  w += v. It rolls through small bumps and speeds up along
    directions where the gradient keeps its sign.
    """

    def __init__(self, learning_rate=1.0, decay=0.0, momentum=0.0):
        super().__init__(learning_rate, decay)
        self.momentum = non_negative(momentum, "momentum")

    def update(self, param, grad, memory):
        lr = self.current_learning_rate
        if self.momentum:
            velocity = memory.setdefault("momentums", np.zeros_like(param))
            velocity *= self.momentum
            velocity -= lr * grad
            param += velocity
        else:
            param -= lr * grad

    def config(self):
        return {**super().config(), "momentum": self.momentum}


class Adagrad(Optimizer):
    """Per-parameter learning rates: divide each step by the root of that parameter's summed
    squared gradients, so often-updated parameters slow down.

    cache += g^2;  w -= lr * g / (sqrt(cache) + epsilon)
    """

    def __init__(self, learning_rate=1.0, decay=0.0, epsilon=1e-7):
        super().__init__(learning_rate, decay)
        self.epsilon = float(epsilon)

    def update(self, param, grad, memory):
        cache = memory.setdefault("cache", np.zeros_like(param))
        cache += grad * grad
        param -= self.current_learning_rate * grad / (np.sqrt(cache) + self.epsilon)

    def config(self):
        return {**super().config(), "epsilon": self.epsilon}


class RMSprop(Optimizer):
    """Like Adagrad, but the cache is a moving average that forgets old gradients.

    cache = rho * cache + (1 - rho) * g^2;  w -= lr * g / (sqrt(cache) + epsilon)
    """

    def __init__(self, learning_rate=0.001, decay=0.0, epsilon=1e-7, rho=0.9):
        super().__init__(learning_rate, decay)
        self.epsilon = float(epsilon)
        self.rho = float(rho)

    def update(self, param, grad, memory):
        cache = memory.setdefault("cache", np.zeros_like(param))
        cache *= self.rho
        cache += (1 - self.rho) * grad * grad
        param -= self.current_learning_rate * grad / (np.sqrt(cache) + self.epsilon)

    def config(self):
        return {**super().config(), "epsilon": self.epsilon, "rho": self.rho}


class Adam(Optimizer):
    """Momentum and RMSprop together, with a correction for their start at zero.

    m = beta_1 * m + (1 - beta_1) * g          (momentum: a moving average of gradients)
    v = beta_2 * v + (1 - beta_2) * g^2        (cache: a moving average of squared gradients)
    m_hat = m / (1 - beta_1^t),  v_hat = v / (1 - beta_2^t)   (t = this step, counting from 1)
    w -= lr * m_hat / (sqrt(v_hat) + epsilon)
    """

    def __init__(self, learning_rate=0.001, decay=0.0, epsilon=1e-7, beta_1=0.9, beta_2=0.999):
        super().__init__(learning_rate, decay)
        self.epsilon = float(epsilon)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)

    def update(self, param, grad, memory):
        m = memory.setdefault("momentums", np.zeros_like(param))
        v = memory.setdefault("cache", np.zeros_like(param))
        t = self.iterations + 1
        m *= self.beta_1
        m += (1 - self.beta_1) * grad
        v *= self.beta_2
        v += (1 - self.beta_2) * grad * grad
        m_hat = m / (1 - self.beta_1 ** t)
        v_hat = v / (1 - self.beta_2 ** t)
        param -= self.current_learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)

    def config(self):
        return {**super().config(), "epsilon": self.epsilon,
                "beta_1": self.beta_1, "beta_2": self.beta_2}
