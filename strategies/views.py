"""JSON endpoints of a conversation's strategy: its versions, what changed between two, one version as a
download, archiving it, a version's backtests.

Restoring a version also tells every socket on the conversation, so that endpoint is the chat's
(`chat.views.version_restore`): the strategy domain knows nothing of sockets.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from strategies.diff import strategy_diff
from strategies.models import Strategy, StrategyVersion
from strategies.porting import strategy_export_document, strategy_export_filename
from strategies.runs import LISTED_RUNS, backtest_report, backtest_runs_of_version
from strategies.selectors import strategy_for_owner
from strategies.services import strategy_archive_set
from strategies.validation import strategy_summary


@require_GET
@login_required
def version_list(request: HttpRequest, conversation_id: str) -> JsonResponse:
    """The conversation's strategy versions, oldest first, the current one marked."""
    strategy = strategy_for_owner(owner=request.user, conversation_id=conversation_id)
    if strategy is None:
        return JsonResponse({"versions": []})
    return JsonResponse(
        {
            "versions": [
                {
                    "number": version.number,
                    "created_at": version.created_at.isoformat(),
                    "source": version.source,
                    "restored_from": version.restored_from,
                    "current": version.pk == strategy.current_version_id,
                    "summary": strategy_summary(version.data),
                }
                for version in strategy.versions.all()
            ]
        }
    )


@require_GET
@login_required
def version_diff(request: HttpRequest, conversation_id: str, old: int, new: int) -> JsonResponse:
    """What changed from version `old` to version `new` of the conversation's strategy (`strategies.diff`)."""
    strategy = strategy_for_owner(owner=request.user, conversation_id=conversation_id)
    old_version, new_version = _version(strategy, old), _version(strategy, new)
    return JsonResponse(strategy_diff(old_version.data, new_version.data).model_dump())


@require_GET
@login_required
def version_export(request: HttpRequest, conversation_id: str, number: int) -> JsonResponse:
    """One version in the export envelope (`strategies.porting`), as a download named after the strategy."""
    strategy = strategy_for_owner(owner=request.user, conversation_id=conversation_id)
    version = get_object_or_404(strategy.versions if strategy else StrategyVersion.objects.none(), number=number)
    document = strategy_export_document(version=version, conversation_id=conversation_id, exported_at=timezone.now())
    response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    filename = strategy_export_filename(name=strategy.name, number=number)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@login_required
def strategy_archive(request: HttpRequest, conversation_id: str, archived: bool) -> JsonResponse:
    """Archive the conversation's strategy, or (`archived` False) bring it back to the list."""
    strategy = strategy_for_owner(owner=request.user, conversation_id=conversation_id)
    if strategy is None:
        raise Http404("No such strategy.")
    strategy = strategy_archive_set(strategy=strategy, archived=archived)
    return JsonResponse({"archived_at": strategy.archived_at.isoformat() if strategy.archived_at else None})


@require_GET
@login_required
def version_backtests(request: HttpRequest, conversation_id: str, number: int) -> JsonResponse:
    """The version's newest backtests (at most `LISTED_RUNS`), newest first, as the builder shows them."""
    strategy = strategy_for_owner(owner=request.user, conversation_id=conversation_id)
    version = _version(strategy, number)
    runs = backtest_runs_of_version(version=version, limit=LISTED_RUNS)
    return JsonResponse(
        {"backtests": [backtest_report(run).model_dump() for run in runs], "total": version.backtests.count()}
    )


def _version(strategy: Strategy | None, number: int) -> StrategyVersion:
    """The strategy's version `number`; 404 when there is no such strategy or version."""
    return get_object_or_404(strategy.versions if strategy else StrategyVersion.objects.none(), number=number)
