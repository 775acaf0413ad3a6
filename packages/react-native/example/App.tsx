// Screen tracking and a tracked button on a collector running on your machine. Set the endpoint to
// an address the device can reach (Android emulator: http://10.0.2.2:8787; a phone: your LAN IP).
import { NavigationContainer, useNavigationContainerRef } from '@react-navigation/native';
import { createNativeStackNavigator } from '@react-navigation/native-stack';
import { init, TallyProvider, Tracked, useScreenTracking, useTally } from '@tally/react-native';
import { Button, Text, View } from 'react-native';
import { MMKV } from 'react-native-mmkv';

const tally = init({
  endpoint: process.env.EXPO_PUBLIC_TALLY_ENDPOINT ?? 'http://127.0.0.1:8787',
  app: 'example',
  storage: new MMKV({ id: 'tally' }),
  debug: __DEV__,
});

type Routes = { Home: undefined; Product: { sku: string } };
const Stack = createNativeStackNavigator<Routes>();

function Home({ navigation }: any) {
  return (
    <View style={{ flex: 1, alignItems: 'center', justifyContent: 'center', gap: 12 }}>
      <Text>Home</Text>
      <Button title="Open product A-1" onPress={() => navigation.navigate('Product', { sku: 'A-1' })} />
    </View>
  );
}

function Product({ route }: any) {
  const client = useTally();
  return (
    <View style={{ flex: 1, alignItems: 'center', justifyContent: 'center', gap: 12 }}>
      <Text>Product {route.params.sku}</Text>
      <Tracked action="add_to_cart" feature="product" metadata={{ sku: route.params.sku }}>
        <Button title="Add to cart" onPress={() => {}} />
      </Tracked>
      <Button title="Send now" onPress={() => client.flush()} />
    </View>
  );
}

function Navigation() {
  const ref = useNavigationContainerRef<Routes>();
  const screens = useScreenTracking(ref);
  return (
    <NavigationContainer ref={ref} onReady={screens.onReady} onStateChange={screens.onStateChange}>
      <Stack.Navigator>
        <Stack.Screen name="Home" component={Home} />
        <Stack.Screen name="Product" component={Product} />
      </Stack.Navigator>
    </NavigationContainer>
  );
}

export default function App() {
  return (
    <TallyProvider client={tally}>
      <Navigation />
    </TallyProvider>
  );
}
