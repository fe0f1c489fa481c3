/**
 * The chat socket: connects, reconnects 3 s after a drop, and feeds frames to the chat reducer.
 * A socket the server closes because the trader's session ended (logout elsewhere, a password
 * change, deactivation) is not reopened: the page goes to the login page, and back here after.
 *
 * The socket joins `/ws/chat/<id>/` once the conversation has an id (from the URL or from
 * the first `message_received`), so a reconnect resumes the same conversation: the
 * server's `conversation_state` comes first and the reducer continues the reply by `seq`.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from "react";

import {
  parseServerFrame,
  type ChatAction,
  type ClientFrame,
  type MessagePage,
  type ServerFrame,
} from "../chat/protocol";
import { chatReducer, initialChatState, type ChatState } from "../chat/reducer";
import type { BacktestParams } from "../types/generated/frames";
import type { Strategy } from "../types/generated/strategy";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting";

/** Sees every server frame before the chat does; returns true to keep it from the chat (it answers the listener's own request). */
export type FrameListener = (frame: ServerFrame) => boolean;

export const RECONNECT_DELAY_MS = 3000;
/** The close code of a socket whose session ended (the server's `SESSION_ENDED_CLOSE_CODE`). */
export const SESSION_ENDED_CLOSE_CODE = 4401;
export const LOGIN_PATH = "/accounts/login/";

export interface WebSocketChat {
  state: ChatState;
  status: ConnectionStatus;
  /** Send the trader's message; false when the socket is not open. */
  sendMessage: (content: string) => boolean;
  /** Press a builder button; a backtest's `params` go with it. */
  sendAction: (action: ChatAction, params?: BacktestParams) => boolean;
  cancel: () => boolean;
  /** Send the whole edited strategy as the next version after `baseVersion`; false when the socket is not open. */
  sendEdit: (baseVersion: number, strategy: Strategy) => boolean;
  /** Listen to the server's frames; returns the function that stops listening. */
  subscribe: (listener: FrameListener) => () => void;
  /** Show a strategy the trader restored over HTTP. */
  showRestored: (strategy: Strategy, version: number) => void;
  /** Show older messages fetched over HTTP with the transcript's `earlierCursor`. */
  showEarlier: (cursor: string, page: MessagePage) => void;
}

/** The socket URL for a conversation, or for a new one. */
export function socketUrl(conversationId: string | null, location: Location = window.location): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const path = conversationId ? `/ws/chat/${encodeURIComponent(conversationId)}/` : "/ws/chat/";
  return `${scheme}://${location.host}${path}`;
}

/** The login page, set to come back to this page once the trader has signed in again. */
export function loginUrl(location: Location = window.location): string {
  return `${LOGIN_PATH}?next=${encodeURIComponent(location.pathname + location.search)}`;
}

export function useWebSocketChat(initialConversationId: string | null): WebSocketChat {
  const [state, dispatch] = useReducer(chatReducer, initialConversationId, initialChatState);
  const [status, setStatus] = useState<ConnectionStatus>("connecting");
  const socketRef = useRef<WebSocket | null>(null);
  const conversationIdRef = useRef(initialConversationId);
  const reconnectNowRef = useRef(false);
  const resyncedRef = useRef(new Set<string>());
  const listenersRef = useRef(new Set<FrameListener>());

  useEffect(() => {
    conversationIdRef.current = state.conversationId;
  }, [state.conversationId]);

  useEffect(() => {
    let disposed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const connect = () => {
      const socket = new WebSocket(socketUrl(conversationIdRef.current));
      socketRef.current = socket;
      socket.onopen = () => setStatus("connected");
      socket.onmessage = (event: MessageEvent) => {
        const frame = parseServerFrame(event.data);
        if (!frame) return;
        let claimed = false;
        for (const listener of listenersRef.current) claimed = listener(frame) || claimed;
        if (!claimed) dispatch({ kind: "frame", frame });
      };
      socket.onclose = (event: CloseEvent) => {
        if (socketRef.current === socket) socketRef.current = null;
        if (disposed) return;
        if (event.code === SESSION_ENDED_CLOSE_CODE) {
          disposed = true;
          window.location.assign(loginUrl());
          return;
        }
        dispatch({ kind: "connection_lost" });
        setStatus("reconnecting");
        const delay = reconnectNowRef.current ? 0 : RECONNECT_DELAY_MS;
        reconnectNowRef.current = false;
        timer = setTimeout(connect, delay);
      };
    };

    connect();
    return () => {
      disposed = true;
      clearTimeout(timer);
      socketRef.current?.close();
      socketRef.current = null;
    };
  }, []);

  // A missed chunk: rejoin at once so the server's state gives the full text (once per reply).
  useEffect(() => {
    const messageId = state.resyncFor;
    if (!messageId || resyncedRef.current.has(messageId)) return;
    resyncedRef.current.add(messageId);
    reconnectNowRef.current = true;
    socketRef.current?.close();
  }, [state.resyncFor]);

  const send = useCallback((frame: ClientFrame): boolean => {
    const socket = socketRef.current;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }, []);

  const sendMessage = useCallback(
    (content: string): boolean => {
      const sent = send({ type: "message", content });
      if (sent) dispatch({ kind: "local_send", content });
      return sent;
    },
    [send],
  );

  const sendAction = useCallback(
    (action: ChatAction, params?: BacktestParams): boolean => {
      const sent = send(params ? { type: "action", action, params } : { type: "action", action });
      if (sent && action === "run_backtest") dispatch({ kind: "backtest_requested" });
      return sent;
    },
    [send],
  );
  const cancel = useCallback(() => send({ type: "cancel" }), [send]);
  const sendEdit = useCallback(
    (baseVersion: number, strategy: Strategy) =>
      send({ type: "edit_strategy", base_version: baseVersion, strategy_json: { ...strategy } }),
    [send],
  );
  const subscribe = useCallback((listener: FrameListener) => {
    listenersRef.current.add(listener);
    return () => void listenersRef.current.delete(listener);
  }, []);
  const showRestored = useCallback(
    (strategy: Strategy, version: number) => dispatch({ kind: "strategy_restored", strategy, version }),
    [],
  );
  const showEarlier = useCallback(
    (cursor: string, page: MessagePage) => dispatch({ kind: "earlier_loaded", cursor, page }),
    [],
  );

  return { state, status, sendMessage, sendAction, cancel, sendEdit, subscribe, showRestored, showEarlier };
}
