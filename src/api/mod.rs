//! The C surface: `extern "C"` functions only, one module per s2n object.
