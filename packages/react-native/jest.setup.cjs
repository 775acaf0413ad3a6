// The official AsyncStorage mock (2.x); the 3.x mock is loaded by the tests that need it.
jest.mock('@react-native-async-storage/async-storage', () => require('@react-native-async-storage/async-storage/jest/async-storage-mock'));
