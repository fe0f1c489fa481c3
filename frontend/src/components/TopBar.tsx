/** The page header: brand, connection status and the signed-in trader. */
import type { ConnectionStatus } from "../hooks/useWebSocketChat";

interface TopBarProps {
  status: ConnectionStatus;
  username: string;
}

const STATUS_TITLES: Record<ConnectionStatus, string> = {
  connecting: "Connecting to the strategist…",
  connected: "Live connection to the strategist",
  reconnecting: "Connection lost: reconnecting every 3 seconds",
};

export function TopBar({ status, username }: TopBarProps) {
  return (
    <header className="topbar">
      <a className="brand" href="/builder/">
        <span className="brand__mark" aria-hidden="true">
          ≋
        </span>
        <span className="brand__name">Vibe Water</span>
        <span className="brand__product">Strategy Builder</span>
      </a>
      <div className="topbar__right">
        <span className={`status status--${status}`} title={STATUS_TITLES[status]} role="status">
          <span className="status__dot" aria-hidden="true" />
          <span data-testid="connection-status">{status}</span>
        </span>
        {username && <span className="topbar__user">{username}</span>}
        {/* The form itself is in the Django template, with its CSRF token. */}
        <button type="submit" form="logout-form" className="button button--ghost button--small">
          Log out
        </button>
      </div>
    </header>
  );
}
