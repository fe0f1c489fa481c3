/** Naming, archiving, duplicating and importing strategies from the sidebar, and the list's "Show archived". */
import { useCallback, useState } from "react";

import {
  ApiError,
  duplicateVersion,
  importStrategy,
  renameConversation,
  setArchived,
  type CreatedConversation,
  type Problem,
} from "../api";
import { builderPath } from "../bootstrap";

export interface LibraryState {
  showArchived: boolean;
  setShowArchived: (show: boolean) => void;
  /** Bumped after each change, so the conversation list reloads. */
  changes: number;
  /** What is being done, e.g. "import" or "rename:<id>"; null when idle. */
  busy: string | null;
  error: string | null;
  problems: Problem[];
  rename: (conversationId: string, name: string) => Promise<boolean>;
  archive: (conversationId: string, archived: boolean) => Promise<void>;
  duplicate: (conversationId: string, number: number) => Promise<void>;
  importFile: (file: File) => Promise<void>;
}

/** Go to a conversation the server just started. */
function openConversation(created: CreatedConversation): void {
  window.location.assign(builderPath(created.conversation_id));
}

export function useLibrary(): LibraryState {
  const [showArchived, setShowArchived] = useState(false);
  const [changes, setChanges] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);

  /** Run one call, keeping its refusal (sentence and problems) to show; resolves to whether it succeeded. */
  const run = useCallback(async (what: string, call: () => Promise<unknown>): Promise<boolean> => {
    setBusy(what);
    setError(null);
    setProblems([]);
    try {
      await call();
      return true;
    } catch (reason) {
      setError((reason as Error).message);
      setProblems(reason instanceof ApiError ? reason.problems : []);
      return false;
    } finally {
      setBusy(null);
      setChanges((n) => n + 1);
    }
  }, []);

  const rename = useCallback(
    (conversationId: string, name: string) =>
      run(`rename:${conversationId}`, () => renameConversation(conversationId, name)),
    [run],
  );
  const archive = useCallback(
    async (conversationId: string, archived: boolean) => {
      await run(`archive:${conversationId}`, () => setArchived(conversationId, archived));
    },
    [run],
  );
  const duplicate = useCallback(
    async (conversationId: string, number: number) => {
      await run(`duplicate:${number}`, async () => openConversation(await duplicateVersion(conversationId, number)));
    },
    [run],
  );
  const importFile = useCallback(
    async (file: File) => {
      await run("import", async () => openConversation(await importStrategy(file)));
    },
    [run],
  );

  return { showArchived, setShowArchived, changes, busy, error, problems, rename, archive, duplicate, importFile };
}
