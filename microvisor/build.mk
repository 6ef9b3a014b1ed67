# SPDX-License-Identifier: MIT
# microvisor/build.mk: the HS-mode microvisor.
