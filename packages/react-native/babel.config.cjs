// Jest only: the package itself is built by tsup. The preset is the one Metro applies in an app.
module.exports = { presets: ['module:@react-native/babel-preset'] };
