"""JSON endpoints of a conversation's strategy: versions, restore, export."""

from asgiref.sync import async_to_sync
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from chat.broadcast import publish
from strategies.models import Strategy, StrategyVersion
from strategies.services import strategy_version_restore
from strategies.validation import strategy_summary


def _strategy_for(request: HttpRequest, conversation_id: str) -> Strategy | None:
    return Strategy.objects.filter(conversation_id=conversation_id, conversation__owner=request.user).first()


@require_GET
@login_required
def version_list(request: HttpRequest, conversation_id: str) -> JsonResponse:
    """The conversation's strategy versions, oldest first, the current one marked."""
    strategy = _strategy_for(request, conversation_id)
    if strategy is None:
        return JsonResponse({"versions": []})
    return JsonResponse(
        {
            "versions": [
                {
                    "number": version.number,
                    "created_at": version.created_at.isoformat(),
                    "source": version.source,
                    "current": version.pk == strategy.current_version_id,
                    "summary": strategy_summary(version.data),
                }
                for version in strategy.versions.all()
            ]
        }
    )


@require_POST
@login_required
def version_restore(request: HttpRequest, conversation_id: str, number: int) -> JsonResponse:
    """Make an earlier version current again and tell every socket on the conversation."""
    strategy = _strategy_for(request, conversation_id)
    if strategy is None or not strategy.versions.filter(number=number).exists():
        raise Http404("No such version.")
    version = strategy_version_restore(strategy=strategy, number=number)
    frame = {"type": "strategy_updated", "strategy_json": version.data, "strategy_version": version.number}
    async_to_sync(publish)(conversation_id, {**frame, "conversation_id": str(conversation_id)})
    return JsonResponse(frame)


@require_GET
@login_required
def version_export(request: HttpRequest, conversation_id: str, number: int) -> JsonResponse:
    """One version's strategy JSON as a download."""
    strategy = _strategy_for(request, conversation_id)
    version = get_object_or_404(strategy.versions if strategy else StrategyVersion.objects.none(), number=number)
    response = JsonResponse(version.data, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="strategy-v{number}.json"'
    return response
