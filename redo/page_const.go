package redo

// PageSize is the size of every page in bytes.
const PageSize = 8192
