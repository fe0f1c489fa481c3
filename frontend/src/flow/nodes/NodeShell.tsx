/** The frame every flowchart node shares: accent by kind, title, handles top and bottom. */
import { Handle, Position } from "@xyflow/react";
import type { ReactNode } from "react";

interface NodeShellProps {
  kind: string;
  icon: string;
  title: string;
  children?: ReactNode;
  hasInput?: boolean;
  hasOutput?: boolean;
}

export function NodeShell({ kind, icon, title, children, hasInput = true, hasOutput = true }: NodeShellProps) {
  return (
    <div className={`flow-node flow-node--${kind}`} data-kind={kind}>
      {hasInput && <Handle type="target" position={Position.Top} isConnectable={false} />}
      <div className="flow-node__head">
        <span className="flow-node__icon" aria-hidden="true">
          {icon}
        </span>
        <span className="flow-node__title">{title}</span>
      </div>
      {children && <div className="flow-node__body">{children}</div>}
      {hasOutput && <Handle type="source" position={Position.Bottom} isConnectable={false} />}
    </div>
  );
}

/** One "name: value" line inside a node. */
export function NodeParam({ name, value, tone }: { name: string; value: string; tone?: "good" | "bad" }) {
  return (
    <div className="flow-node__param">
      <span className="flow-node__param-name">{name}</span>
      <span className={`flow-node__param-value${tone ? ` is-${tone}` : ""}`}>{value}</span>
    </div>
  );
}

/** The pill for start and end: one handle, no parameters. */
export function TerminalShell({ kind, label }: { kind: "start" | "end"; label: string }) {
  return (
    <div className={`flow-terminal flow-terminal--${kind}`} data-kind={kind}>
      {kind === "end" && <Handle type="target" position={Position.Top} isConnectable={false} />}
      <span className="flow-terminal__dot" aria-hidden="true" />
      {label}
      {kind === "start" && <Handle type="source" position={Position.Bottom} isConnectable={false} />}
    </div>
  );
}
