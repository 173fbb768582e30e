"""The map of the course: every page that exists, its section and what it teaches.

streamlit_app.py builds the navigation from this list and the Home page draws its map from it,
so a page appears in both or in neither.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    path: str
    title: str
    icon: str
    url_path: str
    section: str
    question: str
    teaches: str


SECTIONS = ("Start", "Forward pass", "Learning", "Practice")

PAGES = (
    PageInfo("app_pages/home.py", "Home", ":material/home:", "", "Start",
             "What is this, and where do I start?",
             "The map of the course and a picture of a small network."),
    PageInfo("app_pages/neuron.py", "Neuron", ":material/radio_button_checked:", "neuron", "Forward pass",
             "What does one neuron compute?",
             "Inputs times weights, added up, plus a bias, and then an activation. Move every number "
             "and watch the sum change term by term."),
    PageInfo("app_pages/layer.py", "Layer", ":material/view_column:", "layer", "Forward pass",
             "What is a layer, and why a dot product?",
             "Several neurons reading the same inputs: the plain Python loop and numpy's dot product "
             "side by side, with their shapes."),
    PageInfo("app_pages/batches.py", "Batches", ":material/table_rows:", "batches", "Forward pass",
             "Why batches, and why the transpose?",
             "Many samples at once as one matrix product; the transpose mistakes, loud and quiet; "
             "two layers chained; where a random seed must be set."),
    PageInfo("app_pages/activations.py", "Activations", ":material/show_chart:", "activations", "Forward pass",
             "Why does a network need non-linearity?",
             "Step, linear, sigmoid, tanh, ReLU and leaky ReLU with their slopes; stacked linear layers "
             "collapsing into one; a sine fitted by hand with ReLU pairs; softmax step by step."),
    PageInfo("app_pages/loss.py", "Loss", ":material/target:", "loss", "Forward pass",
             "How wrong is the network?",
             "Categorical and binary cross-entropy on predictions you move, the -log curve and clipping, "
             "squared and absolute error with an outlier, and accuracy next to loss."),
    PageInfo("app_pages/backprop.py", "Backpropagation", ":material/undo:", "backprop", "Learning",
             "Where do gradients come from?",
             "The chain rule through one neuron, step by step; a layer's gradients; the gradient check catching "
             "a broken rule; random search against gradient descent; why the seed's XOR network never learns."),
    PageInfo("app_pages/optimizers.py", "Optimizers", ":material/moving:", "optimizers", "Learning",
             "How do weights move?",
             "SGD, momentum, Adagrad, RMSprop and Adam stepping on 2-D loss surfaces: their paths over the "
             "contours, a race from one start, learning-rate decay, and what too large a step does."),
    PageInfo("app_pages/training.py", "Training", ":material/model_training:", "training", "Practice",
             "Put it all together",
             "Datasets, architecture, optimizer, regularization and dropout; train live and watch the loss, "
             "accuracy and decision boundary; everything in the address bar to share."),
)
