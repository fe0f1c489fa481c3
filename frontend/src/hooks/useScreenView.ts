/** Which view a phone shows, and whether the builder tab has a strategy update the trader has not looked at. */
import { useCallback, useEffect, useRef, useState } from "react";

import { replyChangedStrategy, type ScreenView, type StrategyMark } from "../screenView";

export interface ScreenViewState {
  view: ScreenView;
  show: (view: ScreenView) => void;
  /** A reply changed the strategy while another view was shown. */
  builderNews: boolean;
}

export function useScreenView(mark: StrategyMark): ScreenViewState {
  const [view, setView] = useState<ScreenView>("chat");
  const [builderNews, setBuilderNews] = useState(false);
  const markRef = useRef(mark);
  const { version, completedReplies } = mark;

  useEffect(() => {
    const changed = replyChangedStrategy(markRef.current, { version, completedReplies });
    markRef.current = { version, completedReplies };
    if (changed && view !== "builder") setBuilderNews(true);
  }, [version, completedReplies, view]);

  const show = useCallback((next: ScreenView) => {
    setView(next);
    if (next === "builder") setBuilderNews(false);
  }, []);

  return { view, show, builderNews };
}
