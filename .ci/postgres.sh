# shellcheck shell=bash
# A throw-away PostgreSQL cluster for the tests. Meant to be *sourced* (by .ci/run, or by hand):
#
#     source .ci/postgres.sh
#
# Installs Debian's `postgresql` if its binaries are missing, starts a cluster in a temp folder,
# listening on 127.0.0.1 only, on a free port, as the `postgres` user (initdb refuses root),
# creates the user and database `tandem` (the user may create databases, for tests that want a
# fresh one), and exports
#
#     TANDEM_TEST_POSTGRES_URL=postgres://tandem:tandem@127.0.0.1:<port>/tandem
#
# The cluster stops when the sourcing shell exits (an EXIT trap, chained after any trap already
# set), so CI finishes by itself. With TANDEM_POSTGRES_KEEP=1 no trap is set and the stop command
# is printed instead (for a developer's shell). No `set -e` here: this runs inside the caller's
# shell; every failure returns 1 with a message.

tandem_postgres_start() {
    local bindir initdb
    initdb=$(ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z "$initdb" ]]; then
        echo "postgres.sh: installing Debian's postgresql"
        local sudo=""
        [[ $(id -u) -eq 0 ]] || sudo="sudo"
        $sudo apt-get update -qq || return 1
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null || return 1
        initdb=$(ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
        [[ -n "$initdb" ]] || { echo "postgres.sh: initdb not found after installing postgresql" >&2; return 1; }
    fi
    bindir=$(dirname "$initdb")

    local folder port as_owner=()
    folder=$(mktemp -d /tmp/tandem-postgres.XXXXXX) || return 1
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres:postgres "$folder" || return 1
        as_owner=(runuser -u postgres --)
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || return 1

    "${as_owner[@]}" "$bindir/initdb" -D "$folder/data" -U postgres --auth=trust -E UTF8 >"$folder/initdb.log" 2>&1 \
        || { cat "$folder/initdb.log" >&2; return 1; }
    # fsync off: the data is thrown away; max_connections: several servers and test processes at once.
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w start \
        -o "-p $port -k $folder -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        >/dev/null || { cat "$folder/server.log" >&2; return 1; }

    TANDEM_POSTGRES_FOLDER=$folder
    TANDEM_POSTGRES_PGCTL="$bindir/pg_ctl"
    export TANDEM_POSTGRES_FOLDER TANDEM_POSTGRES_PGCTL

    local psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres)
    "${psql[@]}" -c "CREATE USER tandem PASSWORD 'tandem' CREATEDB" || { tandem_postgres_stop; return 1; }
    "${psql[@]}" -c "CREATE DATABASE tandem OWNER tandem" || { tandem_postgres_stop; return 1; }

    export TANDEM_TEST_POSTGRES_URL="postgres://tandem:tandem@127.0.0.1:$port/tandem"
    echo "postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $folder)"
    echo "TANDEM_TEST_POSTGRES_URL=$TANDEM_TEST_POSTGRES_URL"
}

# Stops the cluster and removes its folder. Safe to call twice.
tandem_postgres_stop() {
    [[ -n "${TANDEM_POSTGRES_FOLDER:-}" && -d "$TANDEM_POSTGRES_FOLDER/data" ]] || return 0
    local as_owner=()
    if [[ $(id -u) -eq 0 ]]; then as_owner=(runuser -u postgres --); fi
    "${as_owner[@]}" "$TANDEM_POSTGRES_PGCTL" -D "$TANDEM_POSTGRES_FOLDER/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf -- "$TANDEM_POSTGRES_FOLDER"
    unset TANDEM_POSTGRES_FOLDER
}

if tandem_postgres_start; then
    if [[ "${TANDEM_POSTGRES_KEEP:-}" == "1" ]]; then
        echo "postgres.sh: left running; stop it with: $TANDEM_POSTGRES_PGCTL -D $TANDEM_POSTGRES_FOLDER/data stop (as postgres)"
    else
        _tandem_previous_exit_trap=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
        # shellcheck disable=SC2064
        trap "tandem_postgres_stop; ${_tandem_previous_exit_trap}" EXIT
    fi
else
    echo "postgres.sh: could not start PostgreSQL" >&2
    false
fi
