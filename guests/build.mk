# SPDX-License-Identifier: MIT
# guests/build.mk: bare-metal test guests.
