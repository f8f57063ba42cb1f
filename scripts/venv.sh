# shellcheck shell=bash
# Sourced helper, not run:   . scripts/venv.sh requirements-dev.txt
#
# Makes sure the repository's .venv exists (Python 3.11) and has the given requirements file
# installed, then puts .venv/bin first on PATH. pip runs only when the requirements file, or a
# file it includes with -r, changed since the last install (a hash stamp is kept in .venv/).
# Logs go to stderr. Run as root on Debian, a missing venv module is installed with apt-get.

emenscr_venv() {
	local req=${1:?usage: . scripts/venv.sh REQUIREMENTS_FILE}
	local root venv py=${EMENSCR_PYTHON:-python3.11}
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	venv=$root/.venv
	case "$req" in /*) ;; *) req=$root/$req ;; esac
	[ -f "$req" ] || {
		echo "venv: $req not found" >&2
		return 1
	}

	if [ ! -x "$venv/bin/python" ]; then
		echo "venv: creating $venv with $py" >&2
		if ! "$py" -m venv "$venv" >&2; then
			if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
				echo "venv: '$py -m venv' failed; installing python3-venv python3.11-venv" >&2
				DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2 &&
					DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv \
						python3.11-venv </dev/null >&2 || return 1
				"$py" -m venv --clear "$venv" >&2 || return 1
			else
				echo "venv: '$py -m venv' failed; install Python 3.11 with its venv module" >&2
				return 1
			fi
		fi
	fi
	if ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
		echo "venv: WARNING: $venv is not Python 3.11; remove it to have it rebuilt" >&2
	fi

	# The stamp covers the file and the files it includes with -r / --requirement.
	local files=("$req") inc line dir
	dir=$(dirname "$req")
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in
		-r\ * | --requirement\ * | --requirement=*)
			inc=${line#*[ =]}
			inc=${inc#"${inc%%[![:space:]]*}"}
			inc=${inc%%[[:space:]]*}
			case "$inc" in /*) ;; *) inc=$dir/$inc ;; esac
			files+=("$inc")
			;;
		esac
	done <"$req"
	local stamp want
	stamp=$venv/.installed-$(basename "$req").sha256
	want=$(cat "${files[@]}" | sha256sum | cut -d' ' -f1) || return 1
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
		echo "venv: installing $(basename "$req")" >&2
		"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2 ||
			return 1
		echo "$want" >"$stamp"
	fi

	export VIRTUAL_ENV=$venv
	case ":$PATH:" in *":$venv/bin:"*) ;; *) export PATH="$venv/bin:$PATH" ;; esac
}

emenscr_venv "$@"
