"""The shell: navigation built from the catalogue, Home's map, and the shared page parts."""

from conftest import open_page, texts

from ui.catalog import PAGES, SECTIONS


def test_every_catalogue_page_exists_and_runs_without_an_exception():
    for info in PAGES:
        at = open_page(info.path)
        assert not at.exception, (info.path, texts(at.exception))
        assert at.title or at.markdown, info.path


def test_home_lists_every_page_and_credits_the_material_and_data():
    at = open_page("")
    body = " ".join(texts(at.markdown)) + " ".join(texts(at.caption))
    for info in PAGES:
        if info.url_path:
            assert info.teaches in body
    assert "Neural Networks from Scratch" in body
    assert "Alpaydin" in body and "CC BY 4.0" in body


def test_catalogue_sections_are_known():
    assert {info.section for info in PAGES} <= set(SECTIONS)


def test_every_concept_page_has_the_shared_parts():
    """A pointer to the book, predict-then-check questions, reset and share, and the engine's code."""
    for info in PAGES:
        if not info.url_path:
            continue
        at = open_page(info.path)
        assert any("Follows" in c for c in texts(at.caption)), info.path
        assert "Predict, then check" in texts(at.subheader), info.path
        assert len([e for e in at.expander if e.label == "Check your prediction"]) >= 2, info.path
        assert at.button(key="reset_defaults") is not None
        assert any(e.label == "Show the code" for e in at.expander), info.path
