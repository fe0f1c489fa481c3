"""JSON endpoints of a conversation's strategy: its versions, and one version as a download.

Restoring a version also tells every socket on the conversation, so that endpoint is the chat's
(`chat.views.version_restore`): the strategy domain knows nothing of sockets.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from strategies.models import StrategyVersion
from strategies.selectors import strategy_for_owner
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
                    "current": version.pk == strategy.current_version_id,
                    "summary": strategy_summary(version.data),
                }
                for version in strategy.versions.all()
            ]
        }
    )


@require_GET
@login_required
def version_export(request: HttpRequest, conversation_id: str, number: int) -> JsonResponse:
    """One version's strategy JSON as a download."""
    strategy = strategy_for_owner(owner=request.user, conversation_id=conversation_id)
    version = get_object_or_404(strategy.versions if strategy else StrategyVersion.objects.none(), number=number)
    response = JsonResponse(version.data, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="strategy-v{number}.json"'
    return response
