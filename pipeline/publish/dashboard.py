"""The status dashboard: one self-contained HTML page (inline CSS and SVG, nothing fetched) for the team."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment

from ..catalog.stats import STATES
from ..core.layout import Project
from ..core.storage import write_atomic
from ..edition.status import Status

COLOURS = {"reviewed": "#1b7a3d", "translated": "#7fb069", "fuzzy": "#e0a100", "untranslated": "#c8d3df"}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'self'">
<meta name="referrer" content="no-referrer"><title>Translation and release status</title>
<style>
body { font-family: system-ui, "Noto Sans", sans-serif; margin: 1.5rem; color: #1a1a1a; max-width: 70rem; }
h1, h2 { color: #123c69; } table { border-collapse: collapse; margin-block: 0.6rem 1.4rem; }
th, td { border: 1px solid #c8d3df; padding: 0.25rem 0.5rem; text-align: right; font-variant-numeric: tabular-nums; }
th:first-child, td:first-child, td.text { text-align: left; } th { background: #f2f5f8; }
.ready { color: #1b7a3d; font-weight: 700; } .not-ready { color: #a3121f; font-weight: 700; }
.legend span { display: inline-block; margin-inline-end: 1rem; } .swatch { display: inline-block; width: 0.8rem;
height: 0.8rem; margin-inline-end: 0.3rem; vertical-align: middle; } ul.reasons { margin: 0; padding-left: 1.1rem; }
</style></head><body>
<h1>Translation and release status</h1>
<p class="legend">{% for state in states %}<span><span class="swatch" style="background:{{ colours[state] }}"></span>{{ state }}</span>{% endfor %}
(<em>translated</em>: usable, not yet confirmed by a reviewer)</p>
<h2>Languages</h2>
<table><tr><th>locale</th><th>messages</th>{% for state in states %}<th>{{ state }}</th>{% endfor %}<th>done</th><th>reviewed</th><th style="width:16rem">progress</th></tr>
{% for row in locales %}<tr><td>{{ row.locale }}</td><td>{{ row.total }}</td><td>{{ row.reviewed }}</td><td>{{ row.translated - row.reviewed }}</td><td>{{ row.fuzzy }}</td><td>{{ row.untranslated }}</td><td>{{ row.percent }}%</td><td>{{ row.reviewed_percent }}%</td>
<td>{{ bar([row.reviewed, row.translated - row.reviewed, row.fuzzy, row.untranslated]) }}</td></tr>
{% endfor %}</table>
<h2>Languages × documents</h2>
<p>Messages per document: reviewed / translated / fuzzy / untranslated.</p>
<table><tr><th>document</th>{% for locale in locale_names %}<th>{{ locale }}</th>{% endfor %}</tr>
{% for document in document_names %}<tr><td>{{ document }}</td>{% for locale in locale_names %}{% set cell = matrix.get((locale, document)) %}<td>{% if cell %}{{ bar([cell.reviewed, cell.translated, cell.fuzzy, cell.untranslated], 90) }}<br>{{ cell.reviewed }}/{{ cell.translated }}/{{ cell.fuzzy }}/{{ cell.untranslated }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}</table>
<h2>Editions</h2>
<table><tr><th>edition</th><th>messages</th><th>unreviewed</th><th>release</th></tr>
{% for e in editions %}<tr><td>{{ e.edition }}</td><td>{{ e.translated }}/{{ e.needed }}</td><td>{{ e.unreviewed }}</td>
<td class="text">{% if e.ready %}<span class="ready">ready</span>{% else %}<span class="not-ready">not ready</span><ul class="reasons">{% for r in e.reasons %}<li>{{ r }}</li>{% endfor %}</ul>{% endif %}</td></tr>
{% endfor %}</table>
{% if contacts is not none %}<h2>Contacts: the last live check</h2>
{% if contacts_trouble %}<p class="not-ready">{{ contacts_trouble }}</p>{% endif %}<p>What <code>awareness contacts check</code> saw on each printed contact's pages ({{ contacts|selectattr('checked_at')|list|length }} of {{ contacts|length }} checked;
the full report is <code>output/contacts-check/report.html</code>). A person confirms each one with <code>awareness contacts verify REGION ID</code>.</p>
<table><tr><th>contact</th><th>status</th><th>last check</th><th>evidence</th></tr>
{% for c in contacts %}<tr><td class="text">{{ c.region }}/{{ c.id }} {{ c.name }}</td><td class="text">{{ c.status }}{% if c.verified_on %}, verified {{ c.verified_on }}{% endif %}{% if c.due %} <span class="not-ready">due</span>{% endif %}</td>
<td class="text">{{ c.checked_at[:10] if c.checked_at else 'never' }}</td><td class="text">{% if not c.checked_at %}not checked yet{% elif c.problems %}<span class="not-ready">{{ c.problems|length }} finding{{ 's' if c.problems|length != 1 }}</span><ul class="reasons">{% for p in c.problems %}<li>{{ p }}</li>{% endfor %}</ul>{% else %}<span class="ready">all seen</span> ({{ c.seen }}){% if c.due %}<br><code>{{ c.verify }}</code>{% endif %}{% endif %}</td></tr>
{% endfor %}</table>{% endif %}
<h2>Checks and glossary</h2>
{% if checks %}<table><tr><th>locale</th><th>check</th><th>errors</th><th>warnings</th></tr>
{% for c in checks %}<tr><td>{{ c.locale }}</td><td class="text">{{ c.check }}</td><td>{{ c.errors }}</td><td>{{ c.warnings }}</td></tr>
{% endfor %}</table>{% else %}<p>No findings: every catalog passes every check, the glossaries included.</p>{% endif %}
</body></html>
"""


def _bar(values: list[int], width: int = 240):
    from markupsafe import Markup

    total = sum(values) or 1
    x, parts = 0.0, []
    for state, value in zip(STATES, values):
        w = width * value / total
        if w > 0:
            parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="14" fill="{COLOURS[state]}"><title>{state}: '
                         f'{value}</title></rect>')
        x += w
    return Markup(f'<svg width="{width}" height="14" role="img" aria-label="{" / ".join(map(str, values))}">'
                  + "".join(parts) + "</svg>")


def render_dashboard(status: Status, contacts: list[dict] | None = None, contacts_trouble: str = "") -> str:
    """The page; `contacts`: each printed contact with the last live check's evidence (livecheck.evidence), or
    why it could not be read."""
    env = Environment(autoescape=True)
    matrix = {(d["locale"], d["document"]): d for d in status.documents}
    return env.from_string(PAGE).render(
        states=STATES, colours=COLOURS, locales=status.locales, editions=status.editions, checks=status.checks,
        locale_names=[row["locale"] for row in status.locales],
        document_names=sorted({d["document"] for d in status.documents}), matrix=matrix, bar=_bar,
        contacts=contacts, contacts_trouble=contacts_trouble)


def write_dashboard(project: Project, status: Status, stamp: str = "") -> Path:
    """Write output/status/index.html; `stamp`, a closing comment naming the inputs, lets a build skip it next
    time when nothing changed."""
    from ..contacts.livecheck import evidence
    from ..core.errors import InputRefused

    try:
        contacts, trouble = evidence(project), ""
    except InputRefused as exc:  # a damaged report (or region file) is said on the page; the build goes on
        contacts, trouble = [], str(exc)
    html = render_dashboard(status, contacts, trouble)
    write_atomic(project.status_page, (f"{html}\n{stamp}\n" if stamp else html).encode("utf-8"))
    return project.status_page
