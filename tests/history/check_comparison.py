#!/usr/bin/python3
"""Checks what `raquette compare` wrote against an independent reckoning
from the two runs' own files, without raquette's comparison code.

  check_comparison.py causes RUN_A RUN_B COMPARISON EXPECTED
      RUN_A, RUN_B: the output folders of two runs of the same commune
      vintage; COMPARISON: the folder `raquette compare` wrote; EXPECTED:
      the causes the data README lists, "type:structure_id:site_id" joined
      by commas. For every commune and phase whose coverage changed
      (communes.csv), the structures that cover it for that phase in the
      later run (a gained phase) or in the earlier one (a lost phase) are
      read from annuaire.csv; each cause must list exactly the communes
      where its structure is so found, and every change must be explained.

  check_comparison.py vintage COG_OLD COG_NEW PASSAGE_NEW REGION COMPARISON
      Every code current in the old commune table of the région and not in
      the new one must be matched to the commune it belongs to in the new
      table (its chef-lieu, or the passage table), no commune may be new or
      gone, and every commune of the new table must have a row.

Prints one line per problem, then "N problem(s)"; exit status 1 when any.
"""
import csv
import sys

problems = []


def problem(text):
    problems.append(text)
    print('PROBLEM ' + text)


def rows(path):
    with open(path, encoding='utf-8-sig', newline='') as f:
        return list(csv.DictReader(f))


PHASES = ('emergence', 'creation', 'consolidation', 'developpement')


def check_causes(run_a, run_b, comparison, expected):
    def phases(run):
        out = {}
        for r in rows(run + '/communes.csv'):
            out[r['code_insee']] = {p for p in PHASES if r['phase_' + p] == '1'}
        return out

    def directory(run):
        out = {}
        for r in rows(run + '/annuaire.csv'):
            out.setdefault((r['code_insee'], r['phase']), set()).add(r['structure_id'])
        return out

    pa, pb = phases(run_a), phases(run_b)
    da, db = directory(run_a), directory(run_b)
    expected_causes = [tuple(e.split(':')) for e in expected.split(',')]
    causes = rows(comparison + '/comparaison_causes.csv')
    got = sorted((c['type'], c['structure_id'], c['site_id']) for c in causes)
    if got != sorted(expected_causes):
        problem('causes %s, expected %s' % (got, sorted(expected_causes)))
    blamed = {}  # structure -> communes whose status it changed
    unexplained = set()
    for code in sorted(pb):
        for p in PHASES:
            before, after = p in pa.get(code, set()), p in pb[code]
            if before == after:
                continue
            structures = (db if after else da).get((code, p), set())
            known = structures & {s for _, s, _ in expected_causes}
            if not known:
                unexplained.add(code)
            for s in known:
                blamed.setdefault(s, set()).add(code)
    if unexplained:
        problem('changes no expected cause explains: %s' % sorted(unexplained))
    for c in causes:
        listed = set(filter(None, c['communes'].split('|')))
        want = blamed.get(c['structure_id'], set())
        if listed != want:
            problem('%s %s: communes %s, expected %s (missing %s, extra %s)' % (
                c['id'], c['structure_id'], len(listed), len(want), sorted(want - listed)[:5],
                sorted(listed - want)[:5]))
        if int(c['nb_communes']) != len(listed):
            problem('%s: nb_communes %s for %d codes' % (c['id'], c['nb_communes'], len(listed)))
    print('causes: %d, communes blamed: %d' % (len(causes), sum(len(v) for v in blamed.values())))


def check_vintage(cog_old, cog_new, passage_new, region, comparison):
    old = {r['code'] for r in rows(cog_old)
           if r['type'] == 'commune-actuelle' and r['region'] == region}
    new_rows = rows(cog_new)
    new = {r['code'] for r in new_rows
           if r['type'] == 'commune-actuelle' and r['region'] == region}
    chef = {}
    for r in new_rows:
        if r['type'] != 'commune-actuelle':
            chef.setdefault(r['code'], r['chef_lieu'])
    passage = {r['ancien_code']: r['code'] for r in rows(passage_new)}
    gone = sorted(old - new)
    print('codes current in the old table only: %d (%s)' % (len(gone), ' '.join(gone)))
    communes = rows(comparison + '/comparaison_communes.csv')
    by_code = {r['code_insee']: r for r in communes}
    for code in gone:
        target = code
        for _ in range(8):  # delegated communes and passage chains
            if target in new:
                break
            target = chef.get(target) or passage.get(target) or target
        if target not in new:
            problem('%s: no commune of the new table' % code)
            continue
        row = by_code.get(target)
        if row is None or code not in row['codes_avant'].split('|'):
            problem('%s should be matched to %s: %s' % (code, target, row and row['codes_avant']))
    for r in communes:
        if r['evolution'] in ('nouvelle', 'disparue'):
            problem('%s %s is %s' % (r['code_insee'], r['nom'], r['evolution']))
    if set(by_code) != new:
        problem('rows for %d communes, the new table has %d' % (len(by_code), len(new)))


if sys.argv[1] == 'causes':
    check_causes(*sys.argv[2:6])
else:
    check_vintage(*sys.argv[2:7])
print('%d problem(s)' % len(problems))
sys.exit(1 if problems else 0)
