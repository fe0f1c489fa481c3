/** A phone's navigation: the strategies, the chat and the builder, each one tap away (hidden on wider screens). */
import { SCREEN_VIEWS, type ScreenView } from "../screenView";

interface ScreenTabsProps {
  view: ScreenView;
  onShow: (view: ScreenView) => void;
  builderNews: boolean;
}

export function ScreenTabs({ view, onShow, builderNews }: ScreenTabsProps) {
  return (
    <nav className="screen-tabs" aria-label="Views" data-testid="screen-tabs">
      {SCREEN_VIEWS.map((tab) => {
        const news = tab.view === "builder" && builderNews;
        return (
          <button
            key={tab.view}
            type="button"
            className={`screen-tab${tab.view === view ? " is-current" : ""}`}
            aria-current={tab.view === view ? "page" : undefined}
            onClick={() => onShow(tab.view)}
            data-testid={`tab-${tab.view}`}
            data-news={news ? "true" : undefined}
          >
            {tab.label}
            {news && (
              <span className="screen-tab__news">
                <span aria-hidden="true" />
                <span className="visually-hidden">: strategy updated</span>
              </span>
            )}
          </button>
        );
      })}
    </nav>
  );
}
