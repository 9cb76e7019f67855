import Primitives
import Testing

@Suite struct HexTests {
    @Test func sixteenLowerCaseDigitsZeroPadded() {
        #expect(Hex.digits(0) == "0000000000000000")
        #expect(Hex.digits(0xABC) == "0000000000000abc")
        #expect(Hex.digits(.max) == "ffffffffffffffff")
    }
}
