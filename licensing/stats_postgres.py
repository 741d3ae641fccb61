"""licensing.stats.case_numbers on PostgreSQL in two passes over the cases (grouping sets) instead of four."""

import datetime as dt

from django.db import connection

# Open cases of the teams by status, and the workload of the people (open now, decided in the
# window), from one pass: grouping sets give a row per status and a row per assignee.
OPEN_AND_WORKLOAD = """
SELECT GROUPING(status), status, assignee_id,
       COUNT(*) FILTER (WHERE in_team AND is_open),
       COUNT(*) FILTER (WHERE in_team AND is_open AND first_response_at IS NULL),
       COUNT(*) FILTER (WHERE in_team AND is_open AND assignee_id IS NULL),
       COUNT(*) FILTER (WHERE in_team AND is_open AND first_response_at IS NULL AND first_response_due < %(now)s),
       COUNT(*) FILTER (WHERE mine AND is_open),
       COUNT(*) FILTER (WHERE mine AND decided)
FROM (
    SELECT status, assignee_id, first_response_at, first_response_due,
           team_id = ANY(%(teams)s) AS in_team,
           assignee_id IN ({users}) AS mine,
           status = ANY(%(open)s) AS is_open,
           decided_at >= %(start)s AND decided_at < %(end)s AS decided
    FROM licensing_case
    WHERE (team_id = ANY(%(teams)s) AND status = ANY(%(open)s))
       OR (assignee_id IN ({users})
           AND (status = ANY(%(open)s) OR (decided_at >= %(start)s AND decided_at < %(end)s)))
) AS c
GROUP BY GROUPING SETS ((status), (assignee_id))
"""

# First responses and decisions of the teams in the window: counts and nearest-rank percentiles
# over all of them (the empty grouping set), and decisions per Bangkok day.
RESPONSE_TIMES = """
SELECT GROUPING(day), day,
       COUNT(*) FILTER (WHERE answered),
       COUNT(*) FILTER (WHERE answered AND first_response_at > first_response_due),
       PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY first_response_at - opened_at) FILTER (WHERE answered),
       PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY first_response_at - opened_at) FILTER (WHERE answered),
       COUNT(*) FILTER (WHERE decided),
       PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY decided_at - opened_at) FILTER (WHERE decided),
       PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY decided_at - opened_at) FILTER (WHERE decided)
FROM (
    SELECT opened_at, first_response_at, first_response_due, decided_at,
           first_response_at >= %(start)s AND first_response_at < %(end)s AS answered,
           decided_at >= %(start)s AND decided_at < %(end)s AS decided,
           CASE WHEN decided_at >= %(start)s AND decided_at < %(end)s
                THEN (decided_at AT TIME ZONE %(tz)s)::date END AS day
    FROM licensing_case
    WHERE team_id = ANY(%(teams)s)
      AND ((first_response_at >= %(start)s AND first_response_at < %(end)s)
           OR (decided_at >= %(start)s AND decided_at < %(end)s))
) AS c
GROUP BY GROUPING SETS ((), (day))
"""


def _users_sql(user_ids) -> tuple[str, dict]:
    """The people as SQL: Django's compiled subquery (its values renamed to named parameters),
    or an array parameter for a list."""
    if isinstance(user_ids, list | tuple):
        return "SELECT unnest(%(user_list)s::integer[])", {"user_list": list(user_ids)}
    sql, params = user_ids.query.sql_with_params()
    names = {f"user_{n}": value for n, value in enumerate(params)}
    return sql % tuple(f"%({name})s" for name in names), names


def open_and_workload(team_ids, user_ids, start, end, now, open_statuses) -> list[tuple]:
    users, params = _users_sql(user_ids)  # SQL Django compiled, or a constant: no value is inlined
    with connection.cursor() as cursor:
        cursor.execute(
            OPEN_AND_WORKLOAD.format(users=users),
            {"teams": list(team_ids), "open": list(open_statuses), "start": start, "end": end, "now": now, **params},
        )
        return cursor.fetchall()


def response_times(team_ids, start: dt.datetime, end: dt.datetime, tz) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(RESPONSE_TIMES, {"teams": list(team_ids), "start": start, "end": end, "tz": str(tz)})
        return cursor.fetchall()
