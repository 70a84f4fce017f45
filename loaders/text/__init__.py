"""The text pipeline for prose in pages (docs/loaders.md, "Text pipeline"), used for the body
text of every profile-page rendering:

- ``sentences``: paragraphs and sentences, each with its line and character offset;
- ``model``: ``Mention`` (a name found in a sentence, how and how surely) and ``Fact``;
- ``gazetteer``: Aho–Corasick matching of many names at once (pyahocorasick);
- ``relations``: relations between the mentions around a cue (litigation, membership,
  operational dependency);
- ``metadata``: title, publisher, author and date from the HTML head and JSON-LD, and the
  publisher a page's address implies;
- ``lexicon``: the data files in ``data/`` (word lists, role titles, known institutions,
  publisher templates), read once.

Detection and resolution of names, roles and quotes live in ``loaders/profile_names.py``
and ``loaders/profile_facts.py``.
"""
