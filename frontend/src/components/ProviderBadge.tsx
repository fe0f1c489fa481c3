/** Says who answered: the offline strategist (no model) or Claude on Bedrock. */

export function ProviderBadge({ provider, modelId }: { provider: string | null; modelId?: string | null }) {
  if (!provider) return null;
  const offline = provider === "offline";
  return (
    <span
      className={`chip ${offline ? "chip--warning" : "chip--accent"}`}
      data-testid="provider-badge"
      data-provider={provider}
      title={offline ? "Replies come from the built-in offline strategist, not from an AI model." : (modelId ?? undefined)}
    >
      {offline ? "Offline strategist" : "Claude on Bedrock"}
    </span>
  );
}
