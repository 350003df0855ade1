//! GOST R 34.10-2012 signatures over every standard parameter set (in progress on a branch).
