"""DNAcopy's default sequential boundary, precomputed (``default.DNAcopy.bdry``).

DNAcopy ships this table (``data/default.DNAcopy.bdry.rda``) for its default nperm = 10000,
alpha = 0.01, eta = 0.05 instead of computing ``getbdry(0.05, 10000, 101)`` at every call;
metevo does the same to save ~0.15 s per run. The 5,151 integers are stored as first
differences (int16, little-endian), zlib-compressed and base64-encoded.
``tests/unit/test_cbs.py`` checks that they equal :func:`metevo.cn.cbs.getbdry` computed from
scratch, and ``tests/r/test_cbs_r.py`` that they equal R's table.
"""

from __future__ import annotations

import base64
import zlib

import numpy as np

_ENCODED = (
    "eNqFWXt8j/X7vt/PZygVUSQpRYQitVDm1Mz41sKc24gYmzNznNNynDm1LdWY86GSQ3JKKJFIUTlU6vPZ5pREEonO/a77fr/f"
    "z/Ns9v3+Xv3Vq/bc133d13Xd9/N8KlWb8ufZYjdfjSzxh5NyuXuJuLCzat/F8iX2hN0a6KrmXthc/FDY9MCzzs3q0PnWxTeF"
    "rQt86pxSX1LHcxeKTce//eG0cbLUerr9h5eKdQ7LCdwQeMH5VXVWL9Pv30cWqx42MRAIzHVqOhvVg2oSlfz+t7CrgV6BK86r"
    "TlPntEpVJVQy1TuzOWx/oHngpJPhRDt/q7fw9+epN034bnTYosD9gQPOFCfKKeHsU5NVPXWU4ujr05FhIwPFA1uckU5j/Jej"
    "aoHqoSqqXRRLEadLh8UGzjlLnD5OuFPMOabeVCkqSjlqAz1F7546GagT+MyZ4XR0aqDWV2q9mqbiVU11kZZTFDU/tTVQOrAR"
    "z23uVEQnh4FmtkpSzdTtKkSvUhPafzIzcMnJcXri6aWc8+qAWqsy1BDVFh066jOaQxHU5+TAwFdA3dqp6pBzQu1Rb6g5ahj6"
    "ekJVUJdoF02mBnTLyZjAdmeIE+Hc5vyivlTb1XI1A/9XPKpVV8XUSdpMYymctp6oE1juxDu1nDDnjPpEbUC301Cxq2qhagPX"
    "VfqS3qTh9DD1P1EmMNtp5dzpXFXfqJ1qlZqrJqqB6lnVUj2qKqkwdZb201IaSA9RhRNXndFOfaekcxY9bFZL0OdY1Vd1UdFg"
    "+T5VCs/No500j5LoQfr8eK6T4FRz/lBBtUutVq+qqWq4SlAdgeExVU2VVYSZHaYtlEW9qCZlHN/rxDrlnB/VZ2oLnj1HTQCO"
    "7mApUoXj/y8PLFconz6mtTSTulN16nh8vdPMKe7kq92YGD9/hEoE8hjVRD2i7sdf3KB+p+/R605aSVOhgvvpnuM5Tl3nGqb0"
    "juAfpwZBB+3RQUP1sKqCv7lR/UUXKJcO0Du0kFKpE1Wh8/npTmXnnNqr1qiX1RTU6SN1IlV9zLCyKoe/+psu0Sk6Qh/SW5h6"
    "CnR1H23LH+mUcXLVNrVUuBqgnkOtlioC3D6g7la3AeE/dJnO0Df0KW2nNygTU2lNlWlWfm/M7gto7RVoeBh466KeVk+qBphf"
    "Vej2Vvjgb/zlDxSiQ6i5ETOaSYMphu6mHvkdocO9agU4HKP6qW7gMBo1H1E1gLU85lQMPfLf5oObj1F3LeWAnwHUiipRg/wW"
    "6HSbykGfQ1UvzOsp1RTzfQh17wLikiqg/pC/Pk5fgaVdtIleo1doIiVSC7qLbs1v4OTBA1mijXjVWjWHhuui33vUHao0cJP6"
    "jX6ms3SCvqbPaQ9to3W0hDJoHCVQJFWk83k1ncNqpUpXyaqn6gC+GkMBtTCdilDNTdDB3/QrXcRkj9Mx+oL20fvo/w2aDwZG"
    "Uw9qRnfSrrxKzl6o/gX0H6eeAXP1VR2oqJL0X0Ip9PAL5nwGHBwDg/vpA9oKHMvQSRpm0I2aUgXKzivl7EAno8CD1ojmsIIq"
    "AxwB4LiGqZ+n76B7fsontBtsbgCWRVD1JEqG5prgOcPyHGcD+hkMPmLg1cegmirC5i2qOPj4na7QT2D0JHT3tTznQ3oPXl6D"
    "hJmHfEilQdQFKVGBOuRdQzJMhM47AM8T0tPd6Kk0lKQw1Wtg9kfgOUFBzPYLedL78NhbgmkupSMf+kPTT9Ad1CDvPDyQAo+1"
    "hmPCkWj3Smc84X/oN+HnB2g6D+o8gkntl2dtpbdpleDKgGZGY+rt6XEqTxXzTsCDQ+ELxlXbqOVmaI3A9RXMi3k6Dr1+Ddcf"
    "hO64x61gaw3cuZBeplnQ0HCkeCzVp3JEeV9Dv/1UO/AVLurRk3PUn3RVWP8efDE27vNTqGC3ed5aeh16mgcvTafxNJR6wlGP"
    "4Ylncg+qNCgqBnOsDf5tr3+h18vo9SydhhqCgu8zdLsX2t6BFNiIJ74BZSwAxtk0hcZgGt3htHC6nQ7m7sFOikem1RNH3w5d"
    "FFP/0u9g7yLY40mEoI2jwHhAev4ACnkHKNfhmSvQdzZwpqPzkZhLN+ybR+k22pK7HZrrhKk8LDhLG8X+KiyeEZ18i74PGZy7"
    "MZdtmDL3vgpPXQwvvASs09D/cKRxHJxdF89dlLsRW6AN5lNT0qekaJjZ/FHYzMdTufvPwSdj5f7fhQ7fFgZWgtX58EcG8E4C"
    "C0OpD1QZjS1SltJzV8Pt/8Gk7gfeUlD1vwVY5akfAQc8948E73bMaiOtlyevwJMXIDUzgXkq1D4a+yaBOiJPauPZw3OXwX/N"
    "ofXKwHwjFKD19IPR0zFRwEFofa/w+55g3gjNr3afnQ0+5gD3ZKTMcDD9PFTbHE8vQ91zF2AvNgYjFSUZ/wEfPwvLJ8DyN4Zl"
    "1tce8PGeTG8TGFmHDfq6+/S5YGWmYE+B6/vSc9SOnsQWLENP587FJB8HL+XAt4LXmRWtXZ6hZfsjPH0nnq6xr4crVuH5y+T5"
    "8/D8TPgjTfCPRM4nUldqi4x6kG6lJ3JnqVhslMrQczGTjVbLX4lzWXmskp2YJ+tE418tM10GtXAHLwv76dLDGBqGbdAbummN"
    "/KqJGg/kTsP+qQ2Obgb/PFnPzUdR4aDRIbO/DQxthhbfQg+ao6XInhzpIgs1ZkCXE6HMUVBQX7izC7zUGFVKU7ncVKRHDTB1"
    "g/Txk/CUK/45ZGrskRqsns1GP9zHa0ikJXBTjswiC7OeIWxNQC/DwVcSHNsZ7oqgGqgTlpuCVKkKvsIwj0t0DmzZabCO9kmV"
    "92UaW6QKa2mV9KL5mg+1MmNzMPU0ZMILmMsoTH4APNENyv0PNcSFUpp+CQ1D2lRGzv8LXV2QnWUTRmtqt1uHp6I503OxrL0K"
    "7epK0zGdiegpBT0NoX64m7pCZ62Q5tWpFJ0ODcCWqygXzGVJbs2cnr+uxH5+x1TymFsqKssRFfhrTUKtsdBbMhIvEZOKg+ai"
    "kfbVUO1oKBHbsDwU9xvmdAZ9fWt8yFrmTfGeqbXB1FqFWitF0QtF08xgFnwz21SbDOWNg/e5t/5QXw8oow0yoD7utlL0Ueh5"
    "3CBl4aArmNcp2ZSHjetZdzt8ulvnTmu5sMjzmofkegn1XhQFTocGJ2Fq48El9zcQSkzA5DrTM7jp66HiLbQl1BVaLAUl8rXC"
    "2XhEvLrPpMw2aHCT0aB260qpt1h0yP3NNWzOkorcIVccA6WwJgeA0+cxwY7QfyQ2VFXUXBXqhKQoCVVegCZDcg3o6dns0arn"
    "Dt+UiiukIiuFNal7zJAJppsZviAuGE0j4LeBUA0z+yx1gBuexA6rgqo5oXbQaHHc7+dkjkegzk/cRNrq1tR+topZJFNkXrnP"
    "DGGWJ5lmqo6HdlJQNVnmmQi1Poe6sajbFFvuPtSdHXoGV4KjLsMXPM8vDLucU1vFeW8XqLrMVNXTfNnM0/I7DT7UdVlFI0VH"
    "PNc+YLkbbp62cEpTegSVb6aJoVa4Rv9BUp6CH7lfzbH2x0bXiVx3hel2odRl1c41HM8WltNQeTIqp4pbUqTyUDimP1InAbkT"
    "jwm3gW8ao/a9qD08FIU99icS9LhcjZ+ajbjNdabOAFt5sXjTq5wpTNueWVUTUVuzzcpKFm1x3z2F8fZI8RbUCBdAZVTvG2qC"
    "t4drUHQu/Kr7tlPWqWBrL/N1nS1T1rWZb69v1jT71lYfhuoDZd4J0FlXeLgd9B2F5H0Y9W+irqGG2CFXsD2+hX8PiMq8jW0z"
    "yauuO3/FeCnDVOd0TzO9s77HGeZZbazyAeBe9x+PybPmmiOR6wiC2FB97JefsVmOuVftNjN1Xf/1IupzVrHaXkT9Weg+Xeqz"
    "4iaayY8xCIZBd4OAoB8QJIj22G1tsRMikdS16R5giA49it3zk7yBHTCX5lazl9dIUq6QjXY9Aqu7GWYCU0R7zMF4wTDaZWGQ"
    "uD0Rfu8JFXZFtrWHDlvh/ehxoLgbKCJCdZCn56CEw+ZNQV+Rb7l5prcQa2B+gSlor1sVTBUMmodxwoP2HzMxWFAkCRc9wEUc"
    "cMQiZVsCRwN6CG+cN1HdUC2k7FlcW59Dj/rq3iS5+qZJ1SWSqkWhmCVMaCfoaXhcsCJH+HD0F1ckGD54KrH0NJzZFDvmQTBS"
    "kqqFqsOZp5FFB6HMnaLLDXLr2U1p3ZhdJBsWh9ZlqmTRWOFDI0n2IeHJ9BJO4s1snoZPmgBLLbBSku4KVYVPT2KD82z0m8h6"
    "s0dX+PZMdgF3zHbdmWaQTBIkPJlxQMKcaJUmi04HSlYkgpde0KrmpRM82xp6jUJq1AOau4CmbKiyfH85hAnxO4x+K3jTvYkW"
    "uhvIc4qnET8WO5+xRicjhRdOLctMknGO1ksXmdMzUG5z4AnHpch4bgzdpS5hQ36OOb0v7xKsWqsWfWFcz4zVyjQzI9asntIY"
    "8Y7lhhWjXdzfVW9PIOI8iQM/7eHnp6HhSORaOG7KikBEoTvURWj4IKa1HT56W97GXvPdIIXx/Hd2xhn9ajezgofiH+bHz5Cd"
    "GOunI2bWBjkXja3eEPv1AcH0a7CcOg81fwJXvQtP8R2rJ6ZdnW32aKabbDOKRDTBh4iVrPUz1KiZs46TJlEwsbuYJ9aRntxT"
    "UFIzZJ9GdSNdCJZRP0DXH5vvCZqnZa6iLaaCWWfzdpJvamNdd7GKPJ4GGVR9DSqtpufAFeuJuWqLrdQKuJoiDR8BrjuB63Sw"
    "lDqDLPxIvr6sF654et69ej2qaUXMbpzLlM2fZNGTnV8/47jewhbj4gzogikyX62hLNZ6E+RjXVz2jCwULKlOQ+usrI3Io1Xu"
    "m9s8c7VnFYlr0v+Da5iZoeaLlaWRacaeF2ScCJ0lE/Qso6H6xsD2MLBVALajwRLqBFS/S76+8P703sX8t5K+WAoi8+Y4xpdN"
    "IwwyPUl2oZ5lksGmWesu2HierDNWfwwyi/XfCBlaB28pjO5AMEzl48bir2DrkVcrRfv2Ps9y03uGb5fZ9C7M2kijsmTR/mDD"
    "W393opzoHjqttmfFm5wXeq4t4IQIpCrjuwP4Pgw6KogrZAfcuc79XjHfqC3Dd+vxNe/tuNRCOWFnaj3gTdVylySK06nRQ7KV"
    "0zVOZsu6ayvTbQnlNUOC1MONcD8YvIF2BP/BrbZXvmyyI3jz2Nlm+naw/xLw40sRfDbJ/PgGG3xad4xPe6KXaK+7IOQc0c5g"
    "Du2MI+Hbhkje2nhrYoybgn8h5fYg43jGK0R/dsL2DSHdMDjZXMyp7h7Sl4LHYLKbbdax/QtxqLeBnXK8qJDnbHnUk46Eh58A"
    "yoeA8g6gXBv8HffebvM9drnoMFv2ZWaBq9rP4ngX42h3PxWFcYDBqHWoUfZ0UWomGWUXQWm55HlHwTGNkYLhuIGqCM6VwWtI"
    "wQ+QgWuRy0uFy1fcads7Z4p7/XooUwyT16O0Ph5gUCYZlP55ezh14rBvYoGTncNT5y3SCMnzqCAtD6SLg1fw1sjf/9nZi823"
    "OP1VYZbgTPOx6e2xMUaRI3056OG0bHqZY3XZy526nTsj1Q5vJx5nD7UyCo0A1keA9T7Bmh28hPetHeb7+SLzZSdD9u6M/4l0"
    "lNm5epPYXeLN3frHOijBzL6HwdrNxdpFWNXz1zplBbSAAthP9YG2FtCWA9rM4EW8mWwTpS41XwizfO/403w+Kjol9YXgJVFh"
    "rIku1l5Gpz2EV53qHlre1u1EBcyt1gErljOqLq5BjXdm8EdcOVtFsUskP+2XrHT324D/Ji8q05PN1We1atF6nrL57nHLOugq"
    "KaXxdhJ2Y0W3lt9oydRGyAJGXIPuhR5K0OTgOdqHq3418mqROCzT93VqqtmQE4y3CmbUMN/95WfX06xWbYKrBT+/2mM6DToL"
    "w1q9rN8Yya6Wkl5NBfNj2PSMuRwwjw9+j02wWRRsv3trjm1qFcWwh3iIy7CXqwURa4Y9Rfg51rvAY1mng+WZEzdKlByBNHsM"
    "G7YG3vcZ9ajgd/Ib6SooIwfKyDKeS3O/GaUWYnmkz22Fc6Ew5t4+x2ldeDq2StZ5xqg7yB3VVlDHSK5prp/ErmgI3I8C9wNg"
    "+3bgHho8hatqAxTNv+joL/Sa6yny3eUFH2p/ml3vO32h9xPf6ZSw2tBMe+rwc603r5/ttsaHjJtTTquEvcipXBvIKwvy/sHj"
    "2B/r5Zc9VsmL8tvCdPdrVaqbGKN871zJ5uYbXMCBdqsVxN2zgKr15rB8W2XrrNOMxxrkMZIhzHlzV+H1BXt1ukew9w7mYaOs"
    "gysXwJOslZm+r4sTzNuix3hh5Pam6efbx/708DPe3aeUeDf1OrvY27tZ0sZg19slCuhZMY2gmHpA/5Cgvw3ouwdzsWPW4MrN"
    "gWIyJE/SzLfnwt8jRvg29BBX4RZ7kou99//E3s3Vi+VdZ4qnGc4VnSyW+yhw3wy6iRD8dYG/msEfF/wWW2e1ZPhL8qtauu/7"
    "qr0nrdavv4Ks0gtnis1texH1KIQ+zujd6kbjb+djn1Wv/Rot6nnSKJ+zpi62fDW6WzroEDyGO3QVPJttfomabvzqfaMbdR1+"
    "/33kXUj+fOnlJoy+lVjz2q1+7Vj+bda0c5O9tdsB79BoMwN2AG9+TnndQ1n00Cb4FTbT69hLr5jfBVn//i+dRXVQcAt5nvXU"
    "w/eTzUi/frwO/Prv6PZgp8AqijFpr33Aid8MTogQH4eji1p4b9FdtAp+iV31mvxyn+H+puV9L9bb1L9LC7s3yXf/2dzR16pW"
    "UeEpxBfowUsg62NPS9YNrVw/aD1FyJUQji3AfVSCoopT8+ARbK+VcAQn6Qx3Fv4vviMKTcLv4yTftW3v2J6+DfvfJvGsrwvb"
    "h56Fpyjbh/a1TlWeh3ZGPdlnNfH+ozv5P85L7ys="
)


def default_bdry() -> np.ndarray:
    """The table as int64 (5,151 entries: levels of 1..101 allowed exceedances)."""
    diffs = np.frombuffer(zlib.decompress(base64.b64decode(_ENCODED)), dtype="<i2")
    return np.cumsum(diffs.astype(np.int64))
