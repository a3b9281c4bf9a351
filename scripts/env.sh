# Sourced by the scripts: project root and data folder.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${RAQUETTE_GEODATA:-} && -d $ROOT/../shared/geodata ]]; then
  RAQUETTE_GEODATA=$(cd "$ROOT/../shared/geodata" && pwd)
fi
export RAQUETTE_GEODATA
if [[ -z ${RAQUETTE_GEODATA:-} || ! -d $RAQUETTE_GEODATA ]]; then
  echo "raquette: no data folder: set RAQUETTE_GEODATA to the folder of the data (default ../shared/geodata beside the project)" >&2
  exit 2
fi
JOBS=$(nproc 2>/dev/null || echo 2)
