"""The Codes tab: encode a file, see and hear its code grid."""
