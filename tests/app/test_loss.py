"""Loss page: the book's cross-entropy numbers, clipping, binary cross-entropy, MSE against MAE
with an outlier, and accuracy next to loss."""

from conftest import open_page, texts

PAGE = "app_pages/loss.py"


def metrics(at):
    return {m.label: m.value for m in at.metric}


def test_default_prediction_gives_0_357_with_sparse_and_one_hot_labels():
    at = open_page(PAGE)
    assert metrics(at)["Loss, sparse label"] == "0.3567" == metrics(at)["Loss, one-hot label"]
    assert metrics(at)["Predicted class"] == "0"


def test_the_books_batch_gives_its_per_sample_losses_and_mean():
    at = open_page(PAGE)
    assert metrics(at)["Mean loss of the batch"] == "0.385"
    assert any("0.357, 0.693, 0.105" in c for c in texts(at.caption))


def test_confidences_are_kept_normalised_and_move_the_loss():
    at = open_page(PAGE)
    at.slider(key="c0").set_value(0.35).run()          # 0.35 / (0.35 + 0.1 + 0.2) = 0.538
    assert metrics(at)["Loss, sparse label"] == "0.6190"
    at.radio(key="target").set_value("2").run()
    assert metrics(at)["Loss, sparse label"] == "1.1787"   # -log(0.2 / 0.65)


def test_clipping_keeps_a_zero_probability_finite():
    at = open_page(PAGE)
    at.slider(key="c0").set_value(0.0).run()
    assert metrics(at)["Loss, sparse label"] == "16.1181"
    assert any("16.118" in m for m in texts(at.markdown))


def test_all_confidences_zero_gives_a_message():
    at = open_page(PAGE, {"c0": "0", "c1": "0", "c2": "0"})
    assert any("All three confidences are 0" in e for e in texts(at.error))
    assert not at.exception


def test_binary_cross_entropy_for_each_label():
    at = open_page(PAGE)
    assert any("0.2231" in latex for latex in texts(at.latex))      # -log(0.8)
    at.radio(key="bce_y").set_value("0").run()
    assert any("1.6094" in latex for latex in texts(at.latex))      # -log(0.2)


def test_an_outlier_moves_squared_error_far_more_than_absolute_error():
    at = open_page(PAGE)
    mse, mae = float(metrics(at)["Mean squared error"]), float(metrics(at)["Mean absolute error"])
    at.toggle(key="outlier").set_value(True).run()
    mse_out, mae_out = float(metrics(at)["Mean squared error"]), float(metrics(at)["Mean absolute error"])
    assert mse_out / mse > 10 * (mae_out / mae) / 4
    assert mse_out > 1.5 and mae_out < 1


def test_moving_the_line_changes_both_errors():
    at = open_page(PAGE)
    before = metrics(at)
    at.slider(key="slope").set_value(1.0).run()
    after = metrics(at)
    assert after["Mean squared error"] != before["Mean squared error"]
    assert after["Mean absolute error"] != before["Mean absolute error"]


def test_same_accuracy_different_loss():
    at = open_page(PAGE)
    text = " ".join(texts(at.markdown))
    assert "accuracy 100% either way" in text and "0.357" in text and "0.916" in text


def test_bad_batch_and_targets_give_their_messages():
    at = open_page(PAGE)
    for field, text, fragment in [("targets", "0, 1", "need 3 correct classes"),
                                  ("targets", "0, 1, 5", "whole number from 0 to 2"),
                                  ("batch", "0.7,0.1,0.2\n0.1,0.5,0.5\n0.02,0.9,0.08", "add up to 1"),
                                  ("batch", "1.5,-0.5,0\n0.1,0.5,0.4\n0.02,0.9,0.08", "between 0 and 1")]:
        at = open_page(PAGE)
        at.text_area(key=field).set_value(text).run()
        assert any(fragment in e for e in texts(at.error)), (field, text, texts(at.error))
        assert not at.exception
