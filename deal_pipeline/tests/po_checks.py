"""The checks of an addon's Italian translation file, shared by the addons' i18n tests."""

import re
from collections import Counter
from html.parser import HTMLParser

import polib

from odoo.tools import file_path

# printf-style placeholders of Python and Odoo strings: %s, %(name)s, %d, %%...
PLACEHOLDER_RE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
# attributes whose values are text for people, translated with the rest of the term
TEXT_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "data-tooltip", "string", "help"}
# terms that are the same word in Italian
SAME_IN_ITALIAN = {"ID", "id", "Pipeline", "Hardware", "Software"}


class _MarkupCollector(HTMLParser):
    """The tags of a term with their attributes, text attribute values left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.markup = []

    def handle_starttag(self, tag, attrs):
        self.markup.append(
            (tag, tuple(sorted((name, None if name in TEXT_ATTRIBUTES else value) for name, value in attrs)))
        )

    def handle_endtag(self, tag):
        self.markup.append(("/" + tag, ()))


def _markup(text):
    collector = _MarkupCollector()
    collector.feed(text)
    collector.close()
    return collector.markup


def _edge_whitespace(text):
    return re.match(r"\s*", text).group(), re.search(r"\s*$", text).group()


class ItalianPoChecks:
    """A test case mixin: ``assert_italian_po_complete(addon)``."""

    def assert_italian_po_complete(self, addon):
        """``<addon>/i18n/it.po`` translates every term of the addon's .pot, without fuzzy
        entries, with the same placeholders, markup, edge whitespace and line breaks."""
        po = polib.pofile(file_path(f"{addon}/i18n/it.po"))
        pot = polib.pofile(file_path(f"{addon}/i18n/{addon}.pot"))
        self.assertEqual(po.metadata.get("Language"), "it")
        self.assertEqual(po.metadata.get("Plural-Forms"), "nplurals=2; plural=(n != 1);")
        self.assertIn("charset=UTF-8", po.metadata.get("Content-Type", ""))
        self.assertFalse(
            {entry.msgid for entry in pot} - {entry.msgid for entry in po.translated_entries()},
            "every term of the .pot is translated in it.po (run 'make i18n', then translate)",
        )
        self.assertFalse([entry.msgid for entry in po.fuzzy_entries()], "no fuzzy translation")
        for entry in po:
            with self.subTest(msgid=entry.msgid):
                self.assertTrue(entry.msgstr.strip())
                self.assertEqual(
                    Counter(PLACEHOLDER_RE.findall(entry.msgstr)), Counter(PLACEHOLDER_RE.findall(entry.msgid))
                )
                self.assertEqual(_markup(entry.msgstr), _markup(entry.msgid), "same tags and attributes")
                self.assertEqual(_edge_whitespace(entry.msgstr), _edge_whitespace(entry.msgid))
                self.assertEqual(entry.msgstr.count("\n"), entry.msgid.count("\n"))
                if entry.msgid not in SAME_IN_ITALIAN:
                    self.assertNotEqual(entry.msgstr, entry.msgid, "translated, not copied")
