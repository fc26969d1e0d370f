"""mlpbook: the numpy library of the course-book *Multilayer Perceptrons from Scratch*.

Every chapter imports it; every graded exercise is checked against it.

Notation
--------
One vocabulary of names and shapes, used in the library, the book's equations and the
exercises alike. A batch is a matrix whose rows are examples.

==========  ==============  ============================================================
name        shape           meaning
==========  ==============  ============================================================
``N``                       number of examples in a batch
``D``                       number of inputs (features) of a layer
``H``                       number of units (outputs) of a layer
``C``                       number of classes
``k``                       number of affine pieces of a maxout unit
``x``       (N, D)          a layer's input (the data, for the first layer)
``w``       (D, H)          weights: ``w[i, j]`` connects input i to unit j
``b``       (H,)            biases
``z``       (N, H)          pre-activation (net input) ``x @ w + b``
``a``       (N, H)          activation ``f(z)``
``out``     (N, H)          a layer's output
``scores``  (N, C)          the network's outputs before the loss (logits)
``y``       (N,) or (N, K)  integer class labels, or regression targets
``dout``    like ``out``    ∂L/∂out, the upstream gradient handed to ``backward``
``dx``      like ``x``      ∂L/∂x, returned by ``backward``
``dw, db``  like w, b       ∂L/∂w, ∂L/∂b, stored in ``layer.grads``
``rng``                     a ``numpy.random.Generator``: all randomness goes through one
==========  ==============  ============================================================

Because rows are examples, a layer computes ``x @ w`` with ``w`` of shape (D, H). Books
that use column vectors write the same map as ``W x`` with ``W = wᵀ`` of shape (H, D).

Conventions: losses average over the batch (:mod:`mlpbook.losses`); dropout's ``p`` is the
probability of *dropping* a unit (:class:`mlpbook.layers.Dropout`); ``backward``
overwrites gradients. A shape mistake raises a ``ValueError`` that names the expected
and the received shape.

Modules
-------
activations, layers, model, losses, regularization, initializers, optim, training,
gradcheck, autodiff, diffdemo (chapter 4's graph drawing and finite-difference errors),
perceptron, data, generalization (chapter 6's polynomial and ridge
fits, its explorer), plots (matplotlib), widgets (ipywidgets).
"""

from .layers import Activation, Dense, Dropout, Layer, Maxout, PReLU, Softmax
from .model import Sequential, mlp
from .optim import SGD, Adam, Momentum
from .training import History, evaluate, fit, train_step

__version__ = "0.1.0"

__all__ = [
    "SGD",
    "Activation",
    "Adam",
    "Dense",
    "Dropout",
    "History",
    "Layer",
    "Maxout",
    "Momentum",
    "PReLU",
    "Sequential",
    "Softmax",
    "evaluate",
    "fit",
    "mlp",
    "train_step",
]
