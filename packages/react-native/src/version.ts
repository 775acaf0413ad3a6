export const SDK = { name: '@tally/react-native', version: '0.1.0' };
