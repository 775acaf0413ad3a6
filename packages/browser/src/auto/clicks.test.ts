// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { trackClicks, trackForms } from './clicks.js';

const stops: Array<() => void> = [];
function setup(active = () => true) {
  const track = vi.fn();
  stops.push(trackClicks({ track }, active), trackForms({ track }, active));
  return track;
}
const el = <T extends Element>(sel: string) => document.querySelector(sel) as T;

afterEach(() => {
  stops.splice(0).forEach((s) => s());
  document.body.innerHTML = '';
});

describe('data-track clicks', () => {
  it('tracks a click with feature, default action and data-track-* metadata in snake_case', () => {
    const track = setup();
    document.body.innerHTML =
      '<button id="b" data-track="upgrade" data-track-plan="pro" data-track-plan-id="7" data-other="x">Go</button>';
    el<HTMLElement>('#b').click();
    expect(track).toHaveBeenCalledExactlyOnceWith('action', 'upgrade', { plan: 'pro', plan_id: '7', action: 'click' });
  });

  it('tracks a click inside a tracked element, with data-event-type and data-action', () => {
    const track = setup();
    document.body.innerHTML =
      '<a data-track="cta" data-event-type="conversion" data-action="open"><span><b id="inner">x</b></span></a>';
    el<HTMLElement>('#inner').click();
    expect(track).toHaveBeenCalledExactlyOnceWith('conversion', 'cta', { action: 'open' });
  });

  it('uses the nearest tracked ancestor only, once per click', () => {
    const track = setup();
    document.body.innerHTML = '<div data-track="outer"><button id="b" data-track="inner"></button></div>';
    el<HTMLElement>('#b').click();
    expect(track).toHaveBeenCalledExactlyOnceWith('action', 'inner', { action: 'click' });
  });

  it('ignores clicks outside tracked elements, even when the page stops propagation', () => {
    const track = setup();
    document.body.innerHTML = '<button id="plain"></button><button id="t" data-track="x"></button>';
    el<HTMLElement>('#plain').click();
    expect(track).not.toHaveBeenCalled();
    el('#t').addEventListener('click', (e) => e.stopPropagation());
    el<HTMLElement>('#t').click();
    expect(track).toHaveBeenCalledOnce();
  });

  it('leaves an empty data-track without a feature', () => {
    const track = setup();
    document.body.innerHTML = '<button id="b" data-track></button>';
    el<HTMLElement>('#b').click();
    expect(track).toHaveBeenCalledWith('action', undefined, { action: 'click' });
  });

  it('does nothing while inactive (consent denied)', () => {
    const track = setup(() => false);
    document.body.innerHTML = '<button id="b" data-track="x"></button><form id="f" data-track="signup"></form>';
    el<HTMLElement>('#b').click();
    el('#f').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(track).not.toHaveBeenCalled();
  });
});

describe('data-track forms', () => {
  it('tracks the submission of a tracked form, never its field values', () => {
    const track = setup();
    document.body.innerHTML =
      '<form id="f" data-track="signup" data-track-source="footer"><input name="email" value="a@b.c"><button id="s">Send</button></form>';
    el('#f').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(track).toHaveBeenCalledExactlyOnceWith('action', 'signup', { source: 'footer', action: 'submit' });
    expect(JSON.stringify(track.mock.calls)).not.toContain('a@b.c');
  });

  it('does not count a click inside a tracked form as a click event', () => {
    const track = setup();
    document.body.innerHTML = '<form data-track="signup"><input id="i"></form>';
    el<HTMLElement>('#i').click();
    expect(track).not.toHaveBeenCalled();
  });

  it('counts a click inside a tracked form for the tracked element around the form', () => {
    const track = setup();
    document.body.innerHTML = '<div data-track="card"><form data-track="signup"><input id="i"></form></div>';
    el<HTMLElement>('#i').click();
    expect(track).toHaveBeenCalledExactlyOnceWith('action', 'card', { action: 'click' });
  });

  it('ignores untracked forms', () => {
    const track = setup();
    document.body.innerHTML = '<div data-track="wrap"><form id="f"></form></div>';
    el('#f').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(track).not.toHaveBeenCalled();
  });
});

describe('data-track metadata', () => {
  it('lets data-action win over a data-track-action attribute', () => {
    const track = setup();
    document.body.innerHTML = '<i id="x" data-track="f" data-track-action="a" data-action="b"></i>';
    el<HTMLElement>('#x').click();
    expect(track).toHaveBeenCalledExactlyOnceWith('action', 'f', { action: 'b' });
  });
});
