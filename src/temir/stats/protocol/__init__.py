"""The yearly protocol "results of N and plans for N+1" between two railways: drawn up from the
facts and the plan, signed by both parties, verified, checked, printed (PDF, XLSX). Built on
:mod:`temir.stats.plans` and :mod:`temir.stats.volumes`.
"""
