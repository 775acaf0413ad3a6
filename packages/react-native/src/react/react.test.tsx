import { fireEvent, render, screen as rtl, act } from '@testing-library/react-native';
import { Button, Pressable, Text } from 'react-native';
import { MMKV } from 'react-native-mmkv';
import { start } from '../test/harness';
import { TallyProvider, useTally } from './provider';
import { useScreenTracking } from './screen-tracking';
import { Tracked } from './tracked';

// React Navigation 7 and 6, both real: NavigationContainer, routers and the navigation builder.
const NAVIGATION: Array<[string, any]> = [
  ['React Navigation 7', require('@react-navigation/native')],
  ['React Navigation 6', require('react-navigation-native-6')],
];

/**
 * A small stack navigator in plain JS (no native gesture or screen modules): React Navigation's own
 * `StackRouter` and `useNavigationBuilder`, rendering the focused route only.
 */
function jsStack(nav: any) {
  function JsStack({ initialRouteName, children, screenOptions }: any) {
    const { state, descriptors, NavigationContent } = nav.useNavigationBuilder(nav.StackRouter, {
      initialRouteName,
      children,
      screenOptions,
    });
    return <NavigationContent>{descriptors[state.routes[state.index].key].render()}</NavigationContent>;
  }
  return nav.createNavigatorFactory(JsStack)();
}

function setup(nav: any) {
  const h = start(new MMKV({ id: 'react-' + Math.random() }));
  const Stack = jsStack(nav);
  const Home = ({ navigation }: any) => (
    <Tracked action="open_details" feature="home" metadata={{ from: 'list' }}>
      <Pressable onPress={() => navigation.navigate('Details', { id: 7 })}>
        <Text>Open details</Text>
      </Pressable>
    </Tracked>
  );
  const Details = ({ navigation, route }: any) => (
    <>
      <Text>Details {route.params.id}</Text>
      <Button title="Back" onPress={() => navigation.goBack()} />
      <Button title="Same screen, other params" onPress={() => navigation.setParams({ id: 8 })} />
    </>
  );
  function App() {
    const ref = nav.useNavigationContainerRef();
    const tracking = useScreenTracking(ref);
    return (
      <nav.NavigationContainer ref={ref} onReady={tracking.onReady} onStateChange={tracking.onStateChange}>
        <Stack.Navigator initialRouteName="Home">
          <Stack.Screen name="Home" component={Home} />
          <Stack.Screen name="Details" component={Details} />
        </Stack.Navigator>
      </nav.NavigationContainer>
    );
  }
  render(
    <TallyProvider client={h.client}>
      <App />
    </TallyProvider>,
  );
  const events = async () => {
    await act(() => h.client.flush());
    return h.transport.batches().flatMap((b) => b.events).map((e) => [e.event_type, e.feature, e.metadata]);
  };
  return { ...h, events };
}

describe.each(NAVIGATION)('%s: screen tracking through a real NavigationContainer', (_label, nav) => {
  it('tracks the first screen, a <Tracked> press, the screen it opens and the way back; params alone are no new screen', async () => {
    const { events } = setup(nav);
    await act(async () => {});
    fireEvent.press(rtl.getByText('Open details'));
    expect(await rtl.findByText('Details 7')).toBeTruthy();
    fireEvent.press(rtl.getByText('Same screen, other params'));
    expect(await rtl.findByText('Details 8')).toBeTruthy();
    fireEvent.press(rtl.getByText('Back'));
    expect(await rtl.findByText('Open details')).toBeTruthy();
    expect(await events()).toEqual([
      ['page_view', 'Home', undefined],
      ['open_details', 'home', { from: 'list' }],
      ['page_view', 'Details', undefined],
      ['page_view', 'Home', undefined],
    ]);
  });
});

describe('<Tracked> and useTally', () => {
  it("tracks the press, then runs the child's own onPress with its arguments", async () => {
    const h = start(new MMKV({ id: 'tracked' }));
    const own = jest.fn();
    render(
      <TallyProvider client={h.client}>
        <Tracked action="add_to_cart" feature="cart">
          <Button title="Add" onPress={own} />
        </Tracked>
      </TallyProvider>,
    );
    fireEvent.press(rtl.getByText('Add'), { nativeEvent: 'press' });
    expect(own).toHaveBeenCalledWith({ nativeEvent: 'press' });
    await act(() => h.client.flush());
    expect(h.transport.batches()[0]!.events.map((e) => [e.event_type, e.feature])).toEqual([['add_to_cart', 'cart']]);
  });

  it('useTally gives the provider’s client, and says clearly when there is no provider', () => {
    const h = start(new MMKV({ id: 'hook' }));
    let seen: unknown;
    const Probe = () => ((seen = useTally()), null);
    render(<TallyProvider client={h.client}><Probe /></TallyProvider>);
    expect(seen).toBe(h.client);
    jest.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => render(<Probe />)).toThrow('useTally() must be used inside <TallyProvider');
  });
});
