"""Optimizers: how the weights move, given their gradients.

``optimizer.step(layers)`` makes one update of every object that has ``weights`` and
``dweights`` (and ``biases`` with ``dbiases`` when present): a Dense layer, or a 2-D point on a
loss surface. Each optimizer writes its rule once, in ``delta(grad, memory)``: given the
gradient, return the change to add to the parameters. The base class lays every parameter's
gradient end to end in one flat vector, so each line of a rule is a single numpy operation
however many layers there are, and hands each parameter its slice of the change.

Every hyperparameter is checked where it is given (and so where a model file gives it, since the
loader calls these constructors): learning_rate and epsilon finite and above 0, decay finite and
at least 0, SGD's momentum, RMSprop's rho and Adam's beta_1 and beta_2 in [0, 1). A ValueError
names the argument and its range.

Memory (momentums, caches) is kept per parameter too: ``optimizer.memory(layer, "weights")``
shows it. The step count is ``iterations``, the rate used last ``current_learning_rate``.
Learning-rate decay, as in the book: lr_t = learning_rate / (1 + decay * t), t = steps so far.

Every rule is written in the book's order of operations, down to which product is rounded first:
floating-point rounding makes (a * b) * c and a * (b * c) differ in the last bit, and over 10 001
steps such bits grow into different printed digits. Written the book's way, the engine's numbers
are the book's numbers (nnengine.book).
"""

import numpy as np

from .checks import fraction, non_negative, positive

PARAMETERS = (("weights", "dweights"), ("biases", "dbiases"))


class Optimizer:
    def __init__(self, learning_rate, decay=0.0):
        self.learning_rate = positive(learning_rate, "learning_rate")
        self.decay = non_negative(decay, "decay")
        self.current_learning_rate = self.learning_rate
        self.iterations = 0
        self._flat = {}          # memory name -> one flat array covering every parameter
        # Keyed by the layer object itself (not its id), so copy.deepcopy of a model carries the memory
        # over to the copy's own layers.
        self._views = {}         # (layer, parameter name) -> {memory name: view into _flat}
        self._slices = {}        # (layer, parameter name) -> (start, shape) in the flat arrays
        self._layout = None      # which parameters, in which order, the flat arrays cover

    def step(self, layers):
        """One update of every parameter of ``layers`` (an object or a list of objects)."""
        if not isinstance(layers, (list, tuple)):
            layers = [layers]
        if self.decay:
            # lr * (1 / (1 + decay * t)), not lr / (1 + ...): the book's order, so the same rounding.
            self.current_learning_rate = self.learning_rate * (1. / (1. + self.decay * self.iterations))
        found = [(layer, name, getattr(layer, name), getattr(layer, grad_name))
                 for layer in layers for name, grad_name in PARAMETERS
                 if getattr(layer, name, None) is not None and getattr(layer, grad_name, None) is not None]
        if found:
            self._lay_out(found)
            grads = [grad.ravel() for *_, grad in found]
            delta = self.delta(grads[0] if len(grads) == 1 else np.concatenate(grads), self._flat)
            start = 0
            for _, _, param, _ in found:
                param += delta[start:start + param.size].reshape(param.shape)
                start += param.size
        self.iterations += 1

    def delta(self, grad, memory):
        """The change to every parameter, from the flat gradient; ``memory`` holds the rule's
        flat arrays (see ``remember``)."""
        raise NotImplementedError

    def remember(self, memory, name, like):
        """memory[name]: zeros shaped like the flat gradient the first time, then kept."""
        if name not in memory:
            memory[name] = np.zeros_like(like)
            self._make_views(name)
        return memory[name]

    def _lay_out(self, found):
        """Place the parameters end to end: each gets a slice of the flat vectors. Rebuilt only
        when the parameters change, carrying over what was remembered for those seen before."""
        layout = [(layer, name, param.shape) for layer, name, param, _ in found]
        if self._layout is not None and len(layout) == len(self._layout) and all(
                a is b and n == m and s == t for (a, n, s), (b, m, t) in zip(layout, self._layout)):
            return
        old_views, old_flat = self._views, self._flat
        self._layout = layout
        self._slices, start = {}, 0
        for key, name, shape in layout:
            self._slices[(key, name)] = (start, shape)
            start += int(np.prod(shape))
        self._flat = {name: np.zeros(start, dtype=array.dtype) for name, array in old_flat.items()}
        self._views = {key: {} for key in self._slices}
        for name in self._flat:
            self._make_views(name)
            for key, (_, shape) in self._slices.items():
                if name in old_views.get(key, {}) and old_views[key][name].shape == shape:
                    self._views[key][name][...] = old_views[key][name]

    def _make_views(self, name):
        flat = self._flat[name]
        for key, (start, shape) in self._slices.items():
            self._views[key][name] = flat[start:start + int(np.prod(shape))].reshape(shape)

    # -- training state: what a rollback or a saved file must carry to continue exactly ------------

    def state(self, reuse=None):
        """The step count, the current rate and copies of the flat memories (see ``set_state``).
        ``reuse``: an earlier state whose arrays are overwritten instead of allocating new ones."""
        memories = {}
        for name, flat in self._flat.items():
            old = reuse["memories"].get(name) if reuse is not None else None
            if old is not None and old.shape == flat.shape and old.dtype == flat.dtype:
                np.copyto(old, flat)
                memories[name] = old
            else:
                memories[name] = flat.copy()
        return {"iterations": self.iterations, "current_learning_rate": self.current_learning_rate,
                "memories": memories}

    def set_state(self, state):
        """Go back to a ``state()`` taken earlier with the same parameters. A memory that did not
        exist yet is zeroed, which is exactly how it starts."""
        self.iterations = state["iterations"]
        self.current_learning_rate = state["current_learning_rate"]
        for name, flat in self._flat.items():
            saved = state["memories"].get(name)
            if saved is None or saved.shape != flat.shape:
                flat.fill(0)
            else:
                np.copyto(flat, saved)

    def flat_memories(self, layers):
        """Every memory as one flat array covering the parameters of ``layers`` in order (weights,
        then biases, layer after layer: the order ``step`` lays them out). Zeros where a
        parameter has no memory yet."""
        found = self._parameters(layers)
        names = sorted({name for layer, key, _ in found for name in self.memory(layer, key)})
        return {name: np.concatenate([self.memory(layer, key).get(name, np.zeros_like(param)).ravel()
                                      for layer, key, param in found]) for name in names}

    def restore(self, layers, iterations, current_learning_rate, memories):
        """Continue from saved state: ``memories`` as ``flat_memories(layers)`` gave them. The
        next ``step(layers)`` then does exactly what it would have done without the round trip."""
        found = self._parameters(layers)
        self._lay_out([(layer, key, param, None) for layer, key, param in found])
        self._flat = {name: np.array(flat) for name, flat in memories.items()}
        for name in self._flat:
            self._make_views(name)
        self.iterations = iterations
        self.current_learning_rate = current_learning_rate

    @staticmethod
    def _parameters(layers):
        return [(layer, key, getattr(layer, key)) for layer in layers for key, _ in PARAMETERS
                if getattr(layer, key, None) is not None]

    def memory(self, layer, name="weights"):
        """What this optimizer remembers for one parameter of one layer (empty before a step)."""
        return dict(self._views.get((layer, name), {}))

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
        self.momentum = fraction(momentum, "momentum")

    def delta(self, grad, memory):
        lr = self.current_learning_rate
        if not self.momentum:
            return -lr * grad
        velocity = self.remember(memory, "momentums", grad)
        velocity *= self.momentum
        velocity -= lr * grad
        return velocity

    def config(self):
        return {**super().config(), "momentum": self.momentum}


class Adagrad(Optimizer):
    """Per-parameter learning rates: divide each step by the root of that parameter's summed
    squared gradients, so often-updated parameters slow down.

    cache += g^2;  w -= lr * g / (sqrt(cache) + epsilon)
    """

    def __init__(self, learning_rate=1.0, decay=0.0, epsilon=1e-7):
        super().__init__(learning_rate, decay)
        self.epsilon = positive(epsilon, "epsilon")

    def delta(self, grad, memory):
        cache = self.remember(memory, "cache", grad)
        cache += grad * grad
        return -self.current_learning_rate * grad / (np.sqrt(cache) + self.epsilon)

    def config(self):
        return {**super().config(), "epsilon": self.epsilon}


class RMSprop(Optimizer):
    """Like Adagrad, but the cache is a moving average that forgets old gradients.

    cache = rho * cache + (1 - rho) * g^2;  w -= lr * g / (sqrt(cache) + epsilon)
    """

    def __init__(self, learning_rate=0.001, decay=0.0, epsilon=1e-7, rho=0.9):
        super().__init__(learning_rate, decay)
        self.epsilon = positive(epsilon, "epsilon")
        self.rho = fraction(rho, "rho")

    def delta(self, grad, memory):
        cache = self.remember(memory, "cache", grad)
        cache *= self.rho
        cache += (1 - self.rho) * (grad * grad)     # square first, then scale: the book's rounding
        return -self.current_learning_rate * grad / (np.sqrt(cache) + self.epsilon)

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
        self.epsilon = positive(epsilon, "epsilon")
        self.beta_1 = fraction(beta_1, "beta_1")
        self.beta_2 = fraction(beta_2, "beta_2")

    def delta(self, grad, memory):
        m = self.remember(memory, "momentums", grad)
        v = self.remember(memory, "cache", grad)
        t = self.iterations + 1
        m *= self.beta_1
        m += (1 - self.beta_1) * grad
        v *= self.beta_2
        # (1 - beta_2) * (g^2), squared first as in the book: ((1 - beta_2) * g) * g rounds
        # differently, and chapter 10 then ends at loss 0.083 instead of the book's 0.074.
        v += (1 - self.beta_2) * (grad * grad)
        m_hat = m / (1 - self.beta_1 ** t)
        v_hat = v / (1 - self.beta_2 ** t)
        return -self.current_learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)

    def config(self):
        return {**super().config(), "epsilon": self.epsilon,
                "beta_1": self.beta_1, "beta_2": self.beta_2}
