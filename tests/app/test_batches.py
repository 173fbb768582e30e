"""Batches page: the batch, the chained layer, both transpose mistakes, the seed lesson."""

from conftest import open_page, texts

PAGE = "app_pages/batches.py"


def all_latex(at):
    return " ".join(texts(at.latex))


def test_default_batch_and_chained_layer_give_the_series_numbers():
    at = open_page(PAGE)
    body = all_latex(at)
    assert "4.8 & 1.21 & 2.385 \\\\ 8.9 & -1.81 & 0.2 \\\\ 1.41 & 1.051 & 0.026" in body
    assert "0.5031 & -1.04185 & -2.03875" in body


def test_the_loud_transpose_mistake_shows_numpys_error():
    at = open_page(PAGE)
    assert any("not aligned" in c for c in texts(at.code))


def test_the_quiet_transpose_mistake_gives_wrong_numbers_without_error():
    at = open_page(PAGE)
    assert "-2.1744 & 3.21425 & 1.19065" in all_latex(at)
    assert any("no error" in w for w in texts(at.warning))


def test_non_square_second_layer_has_no_quiet_mistake():
    at = open_page(PAGE)
    at.text_area(key="weights2").set_value("0.1, -0.14, 0.5\n-0.5, 0.12, -0.33").run()
    at.text_area(key="biases2").set_value("-1, 2").run()
    assert "-2.1744" not in all_latex(at)
    assert "0.5031 & -1.04185" in all_latex(at)
    assert not any("no error" in w for w in texts(at.warning))


def test_seeded_layers_fresh_and_after_60_draws():
    at = open_page(PAGE)
    codes = " ".join(texts(at.code))
    assert "0.10758131 1.03983522 0.24462411 0.31821498 0.18851053" in codes
    assert "0.148296   -0.08397602" in codes
    assert "-0.10007759 -0.5409994   0.20834961 -0.80242381  0.16287552" in codes
    assert "-0.09455211  0.14520825" in codes


def test_changing_the_draws_changes_the_numbers():
    at = open_page(PAGE)
    before = texts(at.code)
    at.number_input(key="draws").set_value(30).run()
    after = texts(at.code)
    assert before != after
    assert "-0.10007759" not in " ".join(after)


def test_a_fourth_sample_gives_a_fourth_output_row():
    at = open_page(PAGE)
    at.text_area(key="batch").set_value(at.text_area(key="batch").value + "\n0, 0, 0, 0").run()
    assert "(4\\times 3)" in all_latex(at)
    assert "1.41 & 1.051 & 0.026 \\\\ 2 & 3 & 0.5" in all_latex(at)


def test_bad_batch_input_gives_a_message_and_the_rest_keeps_working():
    at = open_page(PAGE)
    at.text_area(key="batch").set_value("1, 2, three, 4").run()
    assert any("not a number" in e for e in texts(at.error))
    assert not at.exception
    assert any("-0.10007759" in c for c in texts(at.code))   # the seed lesson still runs


def test_why_batches_help_chart_is_drawn():
    at = open_page(PAGE)
    assert any("Each tick is the mean loss of one random batch" in c for c in texts(at.caption))


def test_a_link_opens_the_seed_lesson_in_that_state():
    at = open_page(PAGE, {"seed": "1", "draws": "0"})
    assert at.number_input(key="seed").value == 1
    assert at.number_input(key="draws").value == 0
