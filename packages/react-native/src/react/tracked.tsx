import { Children, cloneElement, isValidElement, type ReactElement } from 'react';
import { useTally } from './provider.js';

export interface TrackedProps {
  /** The event type tracked on each press (a custom type, e.g. `"add_to_cart"`). Default `"click"`. */
  action?: string;
  feature?: string;
  metadata?: Record<string, unknown>;
  /** One pressable child (`Pressable`, `Button`, `TouchableOpacity`, ...). */
  children: ReactElement<{ onPress?: (...args: any[]) => unknown }>;
}

/**
 * Tracks presses of its only child, then calls the child's own `onPress`: the mobile counterpart
 * of the browser's `data-track`. Adds no view of its own.
 */
export function Tracked({ action = 'click', feature, metadata, children }: TrackedProps) {
  const client = useTally();
  const child = Children.only(children);
  if (!isValidElement(child)) return child;
  const own = child.props.onPress;
  return cloneElement(child, {
    onPress: (...args: unknown[]) => {
      client.track(action, feature, metadata);
      return own?.(...args);
    },
  });
}
