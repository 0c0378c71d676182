from profiles.passages import PASSAGE_MAX_CHARS, split_passages


def test_it_keeps_each_paragraph_as_its_own_passage():
    first = "Our fibre pilot connected 412 rural households to high-speed broadband internet."
    second = "The food bank distributed 80,000 meals to families facing hunger across three parishes."
    assert split_passages(f"{first}\n\n  \n{second}\n") == [first, second]


def test_it_joins_a_heading_to_the_paragraph_after_it():
    body = "The youth soccer league coached 300 children and trained twenty volunteer coaches."
    assert split_passages(f"Sports\n\n{body}") == [f"Sports {body}"]


def test_it_cuts_a_long_paragraph_at_sentence_ends():
    sentence = "We trained forty volunteers to teach digital skills in rural libraries. "
    passages = split_passages(sentence * 40)
    assert len(passages) > 1
    assert all(len(p) <= PASSAGE_MAX_CHARS for p in passages)
    assert all(p.endswith("libraries.") for p in passages)
    assert " ".join(passages) == (sentence * 40).strip()


def test_it_cuts_text_without_sentence_ends_hard():
    passages = split_passages("x" * 3000)
    assert [len(p) for p in passages] == [1200, 1200, 600]


def test_it_returns_nothing_for_blank_text():
    assert split_passages("  \n\n ") == []
    assert split_passages("") == []
