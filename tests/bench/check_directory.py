#!/usr/bin/python3
"""Checks the generated national directory (bench/gen-directory) against its
rules, recomputed here from the COG tables on their own:

  - bench/data/structures-france.csv is what the generator writes today
    (same bytes), and at least 3,000 sites;
  - one DLA per département, at the département's chef-lieu;
  - one incubator and one financer per région of metropolitan France;
  - each creation platform is in the most populous member of its EPCI;
  - each tiers-lieu is in a commune of 2,000 inhabitants or more, and its
    zone is that commune's EPCI.

Usage: check_directory.py SOURCE_DIR GEODATA TMP_DIR
Prints one line per check; exit status 1 when any fails."""
import csv
import os
import subprocess
import sys

src, geodata, tmp = sys.argv[1:4]
failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what, flush=True)
    if not cond:
        failures.append(what)


def rows(path):
    with open(path, encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f))


kept = os.path.join(src, 'bench', 'data', 'structures-france.csv')
fresh = os.path.join(tmp, 'structures-france.csv')
subprocess.run([os.path.join(src, 'bench', 'gen-directory'), geodata, fresh], check=True)
check(open(kept, 'rb').read() == open(fresh, 'rb').read(),
      'bench/data/structures-france.csv is what bench/gen-directory writes')
sites = rows(kept)
check(len(sites) >= 3000, '%d sites (at least 3,000)' % len(sites))
by_cat = {}
for s in sites:
    by_cat.setdefault(s['categorie'], []).append(s)

deps = rows(os.path.join(geodata, 'cog', 'departements-cog2026.csv'))
dla = {s['zone_codes']: s['commune_code'] for s in by_cat.get('dla', [])}
check(len(deps) == 96 and all(dla.get(d['code']) == d['chef_lieu'] for d in deps),
      '%d DLA for %d départements, each at its chef-lieu' % (len(dla), len(deps)))
regions = {d['region'] for d in deps}
for cat in ('incubateur', 'financeur'):
    zones = sorted(s['zone_codes'] for s in by_cat.get(cat, []))
    check(zones == sorted(regions), '%s: one per région (%d)' % (cat, len(zones)))

cog = {r['code']: r for r in rows(os.path.join(geodata, 'cog', 'communes-cog2026.csv'))
       if r['type'] == 'commune-actuelle'}
epci = {e['code']: e['membres'].split('|') for e in rows(os.path.join(geodata, 'cog',
                                                                       'epci-cog2026.csv'))}
wrong = [s['site_id'] for s in by_cat.get('reseau_creation', [])
         if s['commune_code'] != min(epci[s['zone_codes']],
                                     key=lambda c: (-int(cog[c]['population']), c))]
check(not wrong, 'creation platforms in the most populous member of their EPCI (%d wrong: %s)'
      % (len(wrong), ' '.join(wrong[:5])))
bad = [s['site_id'] for s in by_cat.get('tiers_lieu', [])
       if int(cog[s['commune_code']]['population']) < 2000
       or cog[s['commune_code']]['epci'] != s['zone_codes']]
check(by_cat.get('tiers_lieu') and not bad,
      '%d tiers-lieux, each in a commune of 2,000 inhabitants or more, zone its EPCI (%d wrong)'
      % (len(by_cat.get('tiers_lieu', [])), len(bad)))
print('%d failure(s)' % len(failures))
sys.exit(1 if failures else 0)
