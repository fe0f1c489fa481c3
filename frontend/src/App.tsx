/** The builder page: sidebar, chat and strategy (on a phone one at a time, with tabs), wired to the socket and the HTTP API. */
import { useCallback, useEffect } from "react";

import type { RestoredStrategy } from "./api";
import { builderPath, type Bootstrap } from "./bootstrap";
import { ChatPanel } from "./components/ChatPanel";
import { ScreenTabs } from "./components/ScreenTabs";
import { Sidebar } from "./components/Sidebar";
import { StrategyPanel } from "./components/StrategyPanel";
import { TopBar } from "./components/TopBar";
import { useStrategyEditor } from "./edit/useStrategyEditor";
import { useConversations } from "./hooks/useConversations";
import { useEarlierMessages } from "./hooks/useEarlierMessages";
import { useLibrary } from "./hooks/useLibrary";
import { useScreenView } from "./hooks/useScreenView";
import { useVersions } from "./hooks/useVersions";
import { useWebSocketChat } from "./hooks/useWebSocketChat";

export function App({ bootstrap }: { bootstrap: Bootstrap }) {
  const { state, status, sendMessage, sendAction, cancel, sendEdit, subscribe, showRestored, showEarlier } =
    useWebSocketChat(bootstrap.conversationId);
  const { conversationId, completedReplies } = state;

  // A new conversation gets its id with the first stored message: make the URL point at it.
  useEffect(() => {
    if (conversationId && conversationId !== bootstrap.conversationId) {
      window.history.replaceState(null, "", builderPath(conversationId));
    }
  }, [conversationId, bootstrap.conversationId]);

  const library = useLibrary();
  const conversations = useConversations(
    `${conversationId}:${completedReplies}:${library.changes}`,
    library.showArchived,
  );
  const onRestored = useCallback(
    (restored: RestoredStrategy) => showRestored(restored.strategy_json, restored.strategy_version),
    [showRestored],
  );
  const versions = useVersions(conversationId, `${completedReplies}:${state.strategyVersion}`, onRestored);
  const earlier = useEarlierMessages(conversationId, state.earlierCursor, showEarlier);

  const screen = useScreenView({ version: state.strategyVersion, completedReplies });

  const busy = state.streamingId !== null || status !== "connected";
  const listed = versions.versions.find((version) => version.current && version.number === state.strategyVersion);
  const editor = useStrategyEditor({
    strategy: state.strategy,
    version: state.strategyVersion,
    connected: status === "connected",
    replying: state.streamingId !== null,
    sendEdit,
    subscribe,
    listedOrigin: listed ? { source: listed.source, restoredFrom: listed.restored_from } : null,
  });

  return (
    <div className="app">
      <TopBar status={status} username={bootstrap.username} />
      <main className="layout" data-view={screen.view}>
        <Sidebar
          conversationId={conversationId}
          conversations={conversations.conversations}
          conversationsError={conversations.error}
          versions={versions.versions}
          versionsError={versions.error}
          restoring={versions.restoring}
          restoreDisabled={state.streamingId !== null}
          onRestore={(number) => void versions.restore(number)}
          library={library}
        />
        <ChatPanel
          state={state}
          status={status}
          earlier={earlier}
          onSend={sendMessage}
          onStop={cancel}
          maxMessageChars={bootstrap.maxMessageChars}
        />
        <StrategyPanel
          strategy={state.strategy}
          preview={state.preview}
          version={state.strategyVersion}
          conversationId={conversationId}
          backtest={state.backtest}
          actionsDisabled={busy}
          onAction={sendAction}
          editor={editor}
        />
      </main>
      <ScreenTabs view={screen.view} onShow={screen.show} builderNews={screen.builderNews} />
    </div>
  );
}
