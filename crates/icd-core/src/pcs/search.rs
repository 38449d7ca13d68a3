//! Procedure search over the PCS artifact (filled in below).
